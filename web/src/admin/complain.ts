/** A failed request, told to the admin in the contract's words (ElMessage); its code back. */
import { ElMessage } from 'element-plus'
import { ApiError } from '../api/client'
import { errorText } from '../shared/messages'

export function complain(caught: unknown): string {
  const code = caught instanceof ApiError ? caught.code : 'INTERNAL'
  if (!(caught instanceof ApiError)) console.error(caught)
  ElMessage.error(errorText(code))
  return code
}
