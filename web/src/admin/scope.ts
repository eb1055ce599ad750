/** The unit the admin is looking at: their own by default, any below it by the tree. */
import { reactive } from 'vue'

export const scope = reactive({ unitId: '', unitName: '', isCity: false, names: 0 })

export function lookAt(unitId: string, unitName: string): void {
  scope.unitId = unitId
  scope.unitName = unitName
}

/** A unit was renamed: the view and the tree show the new name. */
export function renamed(unitId: string, unitName: string): void {
  if (scope.unitId === unitId) scope.unitName = unitName
  scope.names += 1
}
