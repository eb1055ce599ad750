import { describe, expect, it } from 'vitest'
import { consoleHandover, handedOver } from '../../src/shared/pages'

describe('pages without CloudFront functions (China)', () => {
  it('hands an admin path from the learners\' page to the console and back', () => {
    const at = { pathname: '/admin/learners', search: '?unit=530402', hash: '' }
    const handover = consoleHandover(at)
    expect(handover).toBe('/admin.html?to=%2Fadmin%2Flearners%3Funit%3D530402')
    expect(handedOver(handover!.slice('/admin.html'.length))).toBe('/admin/learners?unit=530402')
  })

  it('leaves the learners\' own paths alone and takes no path outside the console', () => {
    expect(consoleHandover({ pathname: '/study/ledger', search: '', hash: '' })).toBeNull()
    expect(handedOver('?to=https%3A%2F%2Fevil.example')).toBeNull()
    expect(handedOver('')).toBeNull()
  })
})
