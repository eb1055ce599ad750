/** Runs a composable inside a mounted component, so its lifecycle hooks run. */
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { SERVICES, type Services } from '../../../src/shared/services'

export function withSetup<T>(use: () => T, services?: Partial<Services>): { result: T; unmount: () => void } {
  let result: T | undefined
  const wrapper = mount(
    defineComponent({
      setup() {
        result = use()
        return () => h('div')
      },
    }),
    { global: { provide: services ? { [SERVICES as symbol]: services } : {} } },
  )
  return { result: result as T, unmount: () => wrapper.unmount() }
}
