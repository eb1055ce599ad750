// Lighthouse (mobile: a mid-range phone on slow 4G, simulated) on the learner's 首页 and
// on an exam question, signed in as a demo learner, in Debian's chromium. Prints JSON.
// Usage: node bench/lighthouse.mjs <base url> <student number> <password>
import lighthouse from 'lighthouse'
import puppeteer from 'puppeteer-core'

const [base, username, password] = process.argv.slice(2)
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
const page = await browser.newPage()
await page.goto(`${base}/login`)
await page.type('input[name=username]', username)
await page.type('input[name=password]', password)
await page.click('button[type=submit]')
await page.waitForSelector('[data-test=credits]')

// An open attempt to look at: resume it or start one.
const token = await page.evaluate(() => JSON.parse(localStorage.getItem('xuefa.session')).idToken)
const year = (await (await fetch(`${base}/credits/me`, { headers: { Authorization: token } })).json()).year
const summary = await (await fetch(`${base}/exams/${year}`, { headers: { Authorization: token } })).json()
let attempt = summary.open_attempt_no
if (!attempt) {
  const started = await fetch(`${base}/exams/${year}/attempts`, {
    method: 'POST',
    headers: { Authorization: token, 'Content-Type': 'application/json' },
    body: '{}',
  })
  attempt = (await started.json()).attempt_no
}

const port = Number(new URL(browser.wsEndpoint()).port)
const results = {}
for (const [name, path] of [
  ['home', '/'],
  ['exam question', `/exam/${year}/paper/${attempt}`],
]) {
  const run = await lighthouse(`${base}${path}`, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    disableStorageReset: true, // stay signed in
  })
  const lhr = run.lhr
  results[name] = {
    performance: Math.round(lhr.categories.performance.score * 100),
    accessibility: Math.round(lhr.categories.accessibility.score * 100),
    fcp_ms: Math.round(lhr.audits['first-contentful-paint'].numericValue),
    lcp_ms: Math.round(lhr.audits['largest-contentful-paint'].numericValue),
    tbt_ms: Math.round(lhr.audits['total-blocking-time'].numericValue),
  }
}
await browser.close()
console.log(JSON.stringify(results))
