/** What the browser reads at start (`/config.json`, written by the local stack or at
 * deploy time): where the APIs and the identity provider are. */
export type WebConfig =
  | { api_base: string; identity: 'own'; identity_endpoint: string }
  | { api_base: string; identity: 'cognito'; cognito_endpoint: string; region: string; client_id: string }

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<WebConfig> {
  const response = await fetcher('/config.json', { cache: 'no-cache' })
  if (!response.ok) throw new Error(`config.json: ${response.status}`)
  return (await response.json()) as WebConfig
}
