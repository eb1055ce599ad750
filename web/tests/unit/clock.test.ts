import { beforeEach, describe, expect, it, vi } from 'vitest'

describe('the server clock', () => {
  beforeEach(() => {
    localStorage.clear()
    vi.resetModules()
  })

  it('follows the Date header of an answer', async () => {
    const { noteServerDate, serverNow } = await import('../../src/shared/clock')
    const phone = Date.now()
    noteServerDate('Tue, 15 Jun 2027 02:00:00 GMT', phone)
    expect(Math.abs(serverNow() - Date.parse('2027-06-15T02:00:00Z'))).toBeLessThan(1000)
  })

  it('keeps the offset across a reload, before any request', async () => {
    const first = await import('../../src/shared/clock')
    first.noteServerDate('Tue, 15 Jun 2027 02:00:00 GMT', Date.now())
    vi.resetModules()
    const reloaded = await import('../../src/shared/clock')
    expect(Math.abs(reloaded.serverNow() - Date.parse('2027-06-15T02:00:00Z'))).toBeLessThan(1000)
  })

  it('ignores a missing or unreadable header', async () => {
    const { noteServerDate, serverNow } = await import('../../src/shared/clock')
    noteServerDate(null)
    noteServerDate('not a date')
    expect(Math.abs(serverNow() - Date.now())).toBeLessThan(1000)
  })
})
