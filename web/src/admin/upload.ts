/** Uploading a lesson's file straight to S3 through the presigned URLs the API gives
 * (POST /credits/lessons/{id}/media): one PUT, or for a big file the parts of a
 * multipart upload, each PUT on its own and retried, so a dropped connection costs one
 * part, not the whole video. XMLHttpRequest, because fetch cannot tell upload progress. */
import type { MediaPurpose, UploadPlan } from '../api/content'

export type Progress = (sent: number, total: number) => void

function put(url: string, body: Blob, headers: Record<string, string>, onProgress: (sent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = (e) => onProgress(e.loaded)
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300 ? resolve(xhr.getResponseHeader('ETag') ?? '') : reject(new Error(`HTTP ${xhr.status}`))
    xhr.onerror = () => reject(new Error('network'))
    xhr.send(body)
  })
}

async function retried<T>(attempt: () => Promise<T>, times = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt()
    } catch (error) {
      if (i >= times) throw error
      await new Promise((r) => setTimeout(r, 1000 * i))
    }
  }
}

/** Slices of a file for the plan's parts: part n holds bytes [(n-1)·size, n·size). */
export function partSlices(total: number, partSize: number, numbers: readonly number[]): { part_number: number; start: number; end: number }[] {
  return numbers.map((n) => ({ part_number: n, start: (n - 1) * partSize, end: Math.min(total, n * partSize) }))
}

/** Send the file; for a multipart upload, the parts' ETags for the completion call. */
export async function upload(plan: UploadPlan, file: Blob, onProgress: Progress): Promise<{ part_number: number; etag: string }[] | null> {
  const single = plan.upload
  if (single) {
    await retried(() => put(single.url, file, single.headers, (sent) => onProgress(sent, file.size)))
    onProgress(file.size, file.size)
    return null
  }
  const { parts, part_size: partSize } = plan
  if (!parts || !partSize) throw new Error('no upload in the plan')
  const sent = new Map<number, number>()
  const report = () => onProgress([...sent.values()].reduce((a, b) => a + b, 0), file.size)
  const urls = new Map(parts.map((p) => [p.part_number, p.url]))
  const done: { part_number: number; etag: string }[] = []
  for (const slice of partSlices(file.size, partSize, parts.map((p) => p.part_number))) {
    const etag = await retried(() =>
      put(urls.get(slice.part_number)!, file.slice(slice.start, slice.end), {}, (n) => {
        sent.set(slice.part_number, n)
        report()
      }),
    )
    done.push({ part_number: slice.part_number, etag })
  }
  return done
}

/** What S3 and the API accept as a name: the file's own name in ASCII, else the purpose. */
export function safeFilename(name: string, purpose: MediaPurpose): string {
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '') : ''
  const stem = (dot > 0 ? name.slice(0, dot) : name).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '')
  return `${(stem || purpose).slice(0, 100)}${ext ? `.${ext}` : ''}`
}

/** The content type the API accepts for a purpose, from the file (the phone's own may be empty). */
export function contentType(file: File, purpose: MediaPurpose): string {
  if (purpose === 'captions') return 'text/vtt'
  if (purpose === 'document') return 'application/pdf'
  if (purpose === 'video') return 'video/mp4'
  return file.type === 'image/png' ? 'image/png' : 'image/jpeg'
}

/** Where an uploaded object is served: the content bucket behind the same origin. */
export function servedAt(key: string): string {
  return key.startsWith('/') ? key : `/${key}`
}

export const ACCEPT: Record<MediaPurpose, string> = {
  video: 'video/mp4',
  poster: 'image/jpeg,image/png',
  captions: '.vtt,text/vtt',
  document: 'application/pdf',
}
