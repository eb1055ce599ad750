import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { SERVICES, useServices, type Services } from '../../src/shared/services'

const Shows = defineComponent({
  setup() {
    const { config } = useServices()
    return () => h('p', config.api_base)
  },
})

describe('the services', () => {
  it('are handed down to every screen from the app', () => {
    const services = { config: { api_base: 'https://api.test' } } as unknown as Services
    const page = mount(Shows, { global: { provide: { [SERVICES as symbol]: services } } })
    expect(page.text()).toBe('https://api.test')
  })

  it('missing, fail the screen loudly rather than leaving it half drawn', () => {
    expect(() => mount(Shows)).toThrow('services are not provided')
  })
})
