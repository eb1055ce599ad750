import { describe, expect, it } from 'vitest'
import { clock, daysLeft, lastDay, perDayNeeded, score, studyYearOf, when } from '../../src/shared/format'

describe('scores as learners read them', () => {
  it('truncates to two decimals, never rounding up across the pass mark', () => {
    expect(score(59.999)).toBe('59.99')
    expect(score(60)).toBe('60.00')
    expect(score(66.666)).toBe('66.66')
    expect(score(0.83)).toBe('0.83')
    expect(score(null)).toBe('—')
  })
})

describe('the credit window', () => {
  const closes = '2026-12-01T00:00:00+08:00'
  it('counts today among the days left and none after the close', () => {
    expect(daysLeft(closes, Date.parse('2026-11-30T23:00:00+08:00'))).toBe(1)
    expect(daysLeft(closes, Date.parse('2026-11-26T09:00:00+08:00'))).toBe(5)
    expect(daysLeft(closes, Date.parse('2026-12-01T00:00:00+08:00'))).toBe(0)
  })
  it('says how many credits a day are still needed', () => {
    expect(perDayNeeded(3000, 0, 5)).toBe(600)
    expect(perDayNeeded(3000, 2999, 5)).toBe(1)
    expect(perDayNeeded(3000, 3100, 5)).toBe(0)
    expect(perDayNeeded(3000, 100, 0)).toBe(2900)
  })
  it('shows an exclusive close as its last day', () => {
    expect(lastDay(closes)).toBe('2026年11月30日')
  })
  it('starts the next study year on 1 December, Shanghai time', () => {
    expect(studyYearOf(Date.parse('2026-11-30T23:59:59+08:00'))).toBe(2026)
    expect(studyYearOf(Date.parse('2026-12-01T00:00:00+08:00'))).toBe(2027)
  })
})

describe('times', () => {
  it('counts down in minutes and seconds, hours when there are', () => {
    expect(clock(90 * 60_000)).toBe('1:30:00')
    expect(clock(59_001)).toBe('01:00')
    expect(clock(-5)).toBe('00:00')
  })
  it('shows the server\'s own local time', () => {
    expect(when('2026-11-20T10:05:00+08:00')).toBe('11月20日 10:05')
  })
})
