/** Who is signed in on this device: the tokens (kept in localStorage so a reload or a
 * locked phone keeps the session), the claims the APIs will see, and a refresh before the
 * ID token expires, so a 90-minute exam never loses its session. */
import { reactive } from 'vue'
import { AuthError, type IdentityProvider, type Tokens } from './identity'

const KEY = 'xuefa.session'
const REFRESH_MARGIN_MS = 5 * 60_000

export interface Claims {
  username: string
  groups: string[]
  unitId: string
}

export function claimsOf(idToken: string): Claims {
  const part = idToken.split('.')[1] ?? ''
  const json = decodeURIComponent(
    Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')))
      .map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))
      .join(''),
  )
  const raw = JSON.parse(json) as Record<string, unknown>
  const groups = raw['cognito:groups']
  return {
    username: String(raw['cognito:username'] ?? raw.username ?? ''),
    groups: Array.isArray(groups) ? groups.map(String) : [],
    unitId: String(raw['custom:unit_id'] ?? ''),
  }
}

export class Session {
  readonly state = reactive<{ tokens: Tokens | null; claims: Claims | null }>({
    tokens: null,
    claims: null,
  })
  private refreshing: Promise<Tokens | null> | null = null
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    readonly provider: IdentityProvider,
    private readonly storage: Storage = localStorage,
    private readonly now: () => number = Date.now,
    private readonly key: string = KEY,
  ) {
    const kept = storage.getItem(key)
    if (kept) {
      try {
        this.remember(JSON.parse(kept) as Tokens)
      } catch {
        storage.removeItem(key)
      }
    }
  }

  get signedIn(): boolean {
    return this.state.tokens !== null
  }

  remember(tokens: Tokens): void {
    this.state.tokens = tokens
    this.state.claims = claimsOf(tokens.idToken)
    this.storage.setItem(this.key, JSON.stringify(tokens))
  }

  /** The ID token to send, refreshed first when it is about to expire. */
  async idToken(): Promise<string | null> {
    const tokens = this.state.tokens
    if (!tokens) return null
    if (tokens.expiresAt - this.now() > REFRESH_MARGIN_MS) return tokens.idToken
    const fresh = await this.refresh()
    return fresh?.idToken ?? null
  }

  /** One refresh at a time, however many requests ask for it. */
  refresh(): Promise<Tokens | null> {
    const tokens = this.state.tokens
    if (!tokens) return Promise.resolve(null)
    this.refreshing ??= this.provider
      .refresh(tokens.refreshToken)
      .then((fresh) => {
        this.remember(fresh)
        return fresh
      })
      .catch((error: unknown) => {
        if (error instanceof AuthError && error.failure === 'NETWORK') return tokens // try later
        this.forget()
        return null
      })
      .finally(() => {
        this.refreshing = null
      })
    return this.refreshing
  }

  /** Keep the tokens fresh while the app is open (and when it comes back to the front). */
  keepFresh(): void {
    if (this.timer) return
    const check = () => void this.idToken()
    this.timer = setInterval(check, 60_000)
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') check()
    })
  }

  async signOut(): Promise<void> {
    const tokens = this.state.tokens
    this.forget()
    if (tokens) await this.provider.signOut(tokens)
  }

  forget(): void {
    this.state.tokens = null
    this.state.claims = null
    this.storage.removeItem(this.key)
  }
}
