/** A screen's data: loading, loaded, or failed with a code the screen words; reloads when
 * the network comes back. */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { ApiError } from '../api/client'

export interface Loaded<T> {
  data: Ref<T | null>
  loading: Ref<boolean>
  error: Ref<string | null>
  reload: () => Promise<void>
}

export function useLoad<T>(load: () => Promise<T>): Loaded<T> {
  const data = ref<T | null>(null) as Ref<T | null>
  const loading = ref(true)
  const error = ref<string | null>(null)
  const reload = async () => {
    loading.value = true
    error.value = null
    try {
      data.value = await load()
    } catch (caught) {
      error.value = caught instanceof ApiError ? caught.code : 'INTERNAL'
      if (!(caught instanceof ApiError)) console.error(caught)
    } finally {
      loading.value = false
    }
  }
  const online = () => {
    if (error.value === 'NETWORK' || error.value === 'TIMEOUT') void reload()
  }
  onMounted(() => {
    window.addEventListener('online', online)
    void reload()
  })
  onBeforeUnmount(() => window.removeEventListener('online', online))
  return { data, loading, error, reload }
}
