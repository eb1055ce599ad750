import { describe, expect, it } from 'vitest'
import { partSlices, safeFilename } from '../../src/admin/upload'

describe('uploads to S3', () => {
  it('cuts a file into the plan’s parts, the last one short', () => {
    expect(partSlices(40, 16, [1, 2, 3])).toEqual([
      { part_number: 1, start: 0, end: 16 },
      { part_number: 2, start: 16, end: 32 },
      { part_number: 3, start: 32, end: 40 },
    ])
  })

  it('names a file as the API accepts, whatever the author called it', () => {
    expect(safeFilename('宪法讲座 第一讲.MP4', 'video')).toBe('video.mp4')
    expect(safeFilename('lecture 1 (final).mp4', 'video')).toBe('lecture-1-final.mp4')
    expect(safeFilename('zh.vtt', 'captions')).toBe('zh.vtt')
    expect(safeFilename('宪法-2026.pdf', 'document')).toBe('2026.pdf')
  })
})
