import { beforeEach, describe, expect, it } from 'vitest'
import { t } from '../../src/shared/messages'
import { completionProblem, heldSession, keepSession, openSessions, resumeSession } from '../../src/learner/studying'

const catalogue = [
  { resource_id: 'c-xf-01', title: '宪法总纲与国家根本制度', activity: 'course', credits: 50 },
  { resource_id: 'p-lx-01', title: '练习', activity: 'practice', credits: 20 },
]
// A start refused because another session is open: the server's 409 CONFLICT details.
const refused = {
  open_session_id: 's2026-530402000001-c-xf-01-0123456789ab',
  resource_id: 'c-xf-01',
  started_at: '2026-11-20T10:00:00+08:00',
  min_seconds: 1200,
  expires_at: '2026-11-20T12:20:00+08:00',
}

describe('one open study session', () => {
  beforeEach(() => localStorage.clear())

  it('resumes the open session from its own start, with its title from the catalogue', () => {
    const held = heldSession(refused, catalogue, t.study.otherSession)
    expect(held).toEqual({
      session_id: refused.open_session_id,
      resource_id: 'c-xf-01',
      title: '宪法总纲与国家根本制度',
      activity: 'course',
      credits: 50,
      min_seconds: 1200,
      started_at: '2026-11-20T10:00:00+08:00',
    })
  })

  it('names an open session of a resource it does not know, and ignores other conflicts', () => {
    expect(heldSession({ ...refused, resource_id: 'gone' }, catalogue, t.study.otherSession)?.title).toBe(
      t.study.otherSession,
    )
    expect(heldSession({}, catalogue, t.study.otherSession)).toBeNull()
    expect(heldSession(undefined, catalogue, t.study.otherSession)).toBeNull()
  })

  it('forgets the timed sessions this device remembered once the server names the open one', () => {
    const stale = { ...heldSession(refused, catalogue, '')!, session_id: 's-old', resource_id: 'p-lx-01' }
    keepSession(stale)
    resumeSession(heldSession(refused, catalogue, '')!)
    expect(openSessions().map((s) => s.session_id)).toEqual([refused.open_session_id])
  })

  it('words an expired, abandoned or resigned completion, and forgets what can never complete', () => {
    expect(completionProblem('CONFLICT', { reason: 'expired' })).toEqual({ text: t.study.expired, forget: true })
    expect(completionProblem('CONFLICT', { reason: 'abandoned' })).toEqual({ text: t.study.abandoned, forget: true })
    expect(completionProblem('FORBIDDEN', { reason: 'inactive' })).toEqual({ text: t.study.inactive, forget: false })
    expect(completionProblem('TOO_EARLY')).toEqual({ text: t.errors.TOO_EARLY, forget: false })
    expect(completionProblem('DUPLICATE').forget).toBe(true)
  })
})
