/** pdf.js's CMaps, served by us: a Chinese PDF whose fonts are not embedded (common in
 * government documents) needs them to show any text. Each is its own file, fetched only
 * when a document asks for it; this module itself loads only with the viewer. */
const urls = import.meta.glob('../../../node_modules/pdfjs-dist/cmaps/*.bcmap', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>

const byName = new Map(Object.entries(urls).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1, -'.bcmap'.length), url]))

/** pdf.js's CMapReaderFactory over our files (the worker does not fetch them itself). */
export class CMapReader {
  async fetch({ name }: { name: string }): Promise<{ cMapData: Uint8Array; isCompressed: boolean }> {
    const url = byName.get(name)
    if (!url) throw new Error(`no CMap ${name}`)
    const response = await fetch(url)
    if (!response.ok) throw new Error(`CMap ${name}: ${response.status}`)
    return { cMapData: new Uint8Array(await response.arrayBuffer()), isCompressed: true }
  }
}
