/** Element Plus's messages and boxes as spies: what the admin would have been told, and
 * the answer they give to a confirmation (`confirming.yes`). */
import { vi } from 'vitest'

export const confirming = { yes: true }
export const told = { success: vi.fn(), error: vi.fn(), warning: vi.fn() }
export const asked = vi.fn(async () => (confirming.yes ? 'confirm' : Promise.reject(new Error('cancel'))))

export const elementPlus = () => ({ ElMessage: told, ElMessageBox: { confirm: asked } })

export function resetElementPlus(): void {
  confirming.yes = true
  for (const spy of [told.success, told.error, told.warning, asked]) spy.mockClear()
}
