/** The unit the admin is looking at: their own by default, any below it by the tree. */
import { reactive } from 'vue'

export const scope = reactive({ unitId: '', unitName: '', isCity: false })

export function lookAt(unitId: string, unitName: string): void {
  scope.unitId = unitId
  scope.unitName = unitName
}
