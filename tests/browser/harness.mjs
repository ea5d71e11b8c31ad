// What the browser tests share: a real `pathways serve` on 127.0.0.1 with a manual clock and
// demo data (and, when asked, a real SMTP server keeping what it receives), Debian's chromium
// driven by playwright-core (tools/node, pinned), and the checks every page gets: axe-core's
// WCAG 2.1 AA rules, no Content-Security-Policy violation, no script error, no 5xx, no
// snake_case id in the page's text (outside code). Screenshots go to OUT/screenshots.
//
//   const h = await startWorkspace({ name: 'workspace', workflows: ['amigo.yaml'], ... });
//   try { h.step = 'sign-in'; ... h.expect(cond, 'message'); ... } catch (e) { h.fail(e.stack); }
//   finally { await h.finish(); }   // exits non-zero after any failure, naming its step
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PASSWORD = 'en lang og hemmelig demo-adgangskode';

export const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));

async function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, what) {
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    if (i > 200) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd), STARTTLS with the test
// certificate, keeping what it receives in a Maildir.
async function startMail(source, work) {
  const port = await freePort();
  const maildir = path.join(work, 'maildir');
  const process_ = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
    '--tlscert', path.join(source, 'tests/data/tls/server.crt'), '--tlskey', path.join(source, 'tests/data/tls/server.key'),
    '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
  await waitForPort(port, 'python3-aiosmtpd');
  // The plain text of each email received so far, decoded.
  const emails = () => {
    const dir = path.join(maildir, 'new');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).map((f) => {
      const raw = fs.readFileSync(path.join(dir, f), 'utf8').replaceAll('\r', '');
      const part = raw.indexOf('Content-Type: text/plain');
      const body = raw.indexOf('\n\n', part);
      const end = raw.indexOf('\n--', body);
      const to = (raw.match(/^To: (.*)$/m) ?? [])[1] ?? '';
      return { to, text: Buffer.from(raw.slice(body + 2, end).replaceAll('\n', ''), 'base64').toString('utf8') };
    });
  };
  return { port, ca: path.join(source, 'tests/data/tls/server.crt'), process: process_, emails };
}

// Starts the server and the browser. `workflows`: files of config/workflows to load;
// `users`: who gets the demo password; `notifications(mail)`: the notifications file's lines
// (given the mail server, started only then); `docPages`: screenshots docs/ shows.
export async function startWorkspace({ name, workflows, users, notifications, docPages = [], demoParticipants = 24 }) {
  const source = path.resolve(args.source ?? '.');
  const bin = path.resolve(args.bin ?? 'build/tools/pathways');
  const out = path.resolve(args.out ?? `build/${name}`);
  const require = createRequire(path.join(source, 'tools/node/package.json'));
  const { chromium } = require('playwright-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `pathways-${name}-`));
  fs.mkdirSync(path.join(out, 'screenshots'), { recursive: true });

  const mail = notifications ? await startMail(source, work) : null;
  fs.mkdirSync(path.join(work, 'workflows'));
  for (const file of workflows) {
    fs.copyFileSync(path.join(source, 'config/workflows', file), path.join(work, 'workflows', file));
  }
  for (const file of ['users.yaml', 'reports.yaml', 'degurba.yaml']) {
    fs.copyFileSync(path.join(source, 'config', file), path.join(work, file));
  }
  const settings = ['data: store', 'workflows: [workflows]', 'users: users.yaml', 'passwords: passwords.json',
    'reports: reports.yaml', 'clock: manual', 'clock_start: 2027-01-11T08:00:00Z', 'demo:',
    `  participants: ${demoParticipants}`];
  if (mail) {
    fs.writeFileSync(path.join(work, 'notifications.yaml'), [...notifications(mail), ''].join('\n'));
    settings.push('notifications: notifications.yaml');
  }
  fs.writeFileSync(path.join(work, 'pathways.yaml'), [...settings, ''].join('\n'));
  const config = path.join(work, 'pathways.yaml');
  for (const user of users) {
    const r = spawnSync(bin, ['user', 'set-password', user, '--config', config], { input: PASSWORD + '\n' });
    if (r.status !== 0) throw new Error(`set-password ${user}: ${r.stderr}`);
  }
  const adminToken = spawnSync(bin, ['token', '--config', config, 'issue', 'admin']).stdout.toString().trim();
  const server = spawn(bin, ['serve', '--config', config, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stderr.on('data', (d) => { serverLog += d; });
  server.stdout.on('data', (d) => { serverLog += d; });
  const base = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('the server did not start: ' + seen + serverLog)), 30000);
    server.stdout.on('data', (d) => {
      seen += d;
      const m = seen.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`the server exited (${code}): ${seen}${serverLog}`)));
  });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  const h = {
    base, adminToken, browser, out, source, work,
    step: '',
    failures: 0,
    checked: [],
    emails: () => (mail ? mail.emails() : []),
    serverLog: () => serverLog,
    fail(message) {
      h.failures++;
      console.error(`FAIL [${h.step}] ${message}`);
    },
    expect(condition, message) {
      if (!condition) h.fail(message);
    },
    // A page of its own context (its own cookies); `options` add to the context's (e.g.
    // `{ javaScriptEnabled: false }`).
    async newPage(options = {}) {
      const context = await browser.newContext({ locale: 'da-DK', viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) h.fail(`CSP: ${m.text()}`);
      });
      page.on('response', (r) => {
        if (r.url().includes('/assets/') && r.status() !== 200) h.fail(`${r.status()} for ${r.url()}`);
        if (r.url().startsWith(base) && r.status() >= 500) h.fail(`${r.status()} from ${r.url()}`);
      });
      page.on('pageerror', (e) => h.fail(`script error: ${e.message}`));
      return page;
    },
    // axe-core's WCAG 2.1 A and AA rules on the page as it stands; a screenshot beside.
    async audit(page, pageName) {
      // No machine ids in what a person reads: a snake_case word outside code is one (a guard,
      // a trigger, a field or a value shown by its id). The administrator's diagram names the
      // triggers as the definition does, in a drawing hidden from assistive technology.
      const text = await page.evaluate(() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('code, pre, kbd, samp, script, style, textarea, svg[aria-hidden], [aria-hidden="true"] svg').forEach((e) => e.remove());
        return copy.textContent;
      });
      const ids = [...new Set(text.match(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g) ?? [])];
      if (ids.length > 0) h.fail(`${pageName}: ids in the page's text: ${ids.slice(0, 12).join(', ')}`);
      await page.evaluate(axeSource);  // DevTools evaluation: not inline script, the CSP stays on
      const result = await page.evaluate(() => globalThis.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }));
      for (const v of result.violations) {
        h.fail(`axe ${pageName}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
      await page.screenshot({ path: path.join(out, 'screenshots', `${pageName}.png`), fullPage: true });
      // docs/ shows these, as the first screen of each (`--docs docs/screenshots`).
      if (args.docs && docPages.includes(pageName)) {
        await page.screenshot({ path: path.join(path.resolve(args.docs), `${pageName}.jpg`), type: 'jpeg', quality: 70 });
      }
      h.checked.push(pageName);
    },
    async signIn(page, user, password = PASSWORD) {
      await page.goto(base + '/');
      await page.getByLabel(/Brugernavn|User name/).fill(user);
      await page.getByLabel(/Adgangskode|Password/).fill(password);
      await page.getByRole('button', { name: /Log ind|Sign in/ }).click();
    },
    // Stops everything, then exits: non-zero after any failure.
    async finish() {
      await browser.close();
      server.kill('SIGTERM');
      if (mail) mail.process.kill('SIGTERM');
      fs.rmSync(work, { recursive: true, force: true });
      if (h.failures > 0) {
        console.error(`${h.failures} failure(s); screenshots in ${path.join(out, 'screenshots')}`);
        process.exit(1);
      }
      console.log(`ok: ${h.checked.length} pages checked with axe-core (${h.checked.join(', ')}); screenshots in ${path.join(out, 'screenshots')}`);
    },
  };
  return h;
}
