// The workspace in a real browser (the harness: harness.mjs) against a real `pathways serve`
// with demo data: the counsellor's, team lead's, administrator's, auditor's and partner's pages,
// each checked with axe-core in Danish and English. The companies' pages are companies.mjs.
//
//   node tests/browser/workspace.mjs --bin build/tools/pathways --source . --out build/browser \
//     [--docs docs/screenshots]   (also the pictures docs/workspace.md shows)
//
// Exits non-zero after a failure, naming the step.
import fs from 'node:fs';
import path from 'node:path';
import { PASSWORD, startWorkspace } from './harness.mjs';

// Only the employer is reached here: by email, with links to confirm by.
const h = await startWorkspace({
  name: 'browser',
  workflows: ['amigo.yaml'],
  users: ['anne', 'bo', 'tove', 'admin', 'revisor'],
  notifications: (mail) => ['smtp:', `  url: smtp://127.0.0.1:${mail.port}`, '  from: pathways@amigo-skolen.example',
    `  ca_file: ${mail.ca}`,
    'parties:', '  employer:', '    email: {to: [employer], language: da}',
    '    confirm: {triggers: [sign_contract, pass_probation], valid: 14d}',
    'witnesses:', '  arkiv: {directory: checkpoints}'],
  docPages: ['participants-da', 'participant-da', 'participant-refused-da', 'tasks-live-da', 'team-da',
    'definition-da', 'import-error-da', 'progress-da', 'reports-esf-da', 'reports-project-da', 'audit-pathway-da',
    'confirm-da'],
});
const { base, adminToken, emails, expect, fail, audit, newPage, signIn } = h;

try {
  // ---- signing in, in both languages ----
  h.step = 'sign-in';
  let page = await newPage();
  await page.goto(base + '/participants');
  expect(page.url() === base + '/sign-in?next=/participants', `not sent to sign in: ${page.url()}`);
  await audit(page, 'sign-in-da');
  await page.getByRole('link', { name: 'English' }).click();
  expect(await page.locator('html').getAttribute('lang') === 'en', 'the switch did not give English');
  await audit(page, 'sign-in-en');
  await page.getByRole('link', { name: 'Dansk' }).click();

  h.step = 'wrong password';
  await signIn(page, 'anne', 'not the right password');
  expect(await page.getByRole('alert').isVisible(), 'no error shown');
  expect((await page.getByRole('alert').innerText()).includes('forkert'), 'the error does not say why: ' + await page.getByRole('alert').innerText());
  await audit(page, 'sign-in-error-da');

  h.step = 'purpose';
  await signIn(page, 'anne');
  expect(page.url() === base + '/participants', `after sign-in: ${page.url()}`);
  expect(await page.getByRole('heading', { level: 1 }).innerText() === 'Formål med opslaget', 'no purpose asked');
  await audit(page, 'purpose-da');
  await page.getByRole('button', { name: 'Fortsæt' }).click();
  expect(await page.locator('.form-error-message').isVisible(), 'an empty purpose was taken');
  await audit(page, 'purpose-error-da');
  await page.getByLabel(/Formål/).fill('Opfølgning på mine deltagere');
  await page.getByRole('button', { name: 'Fortsæt' }).click();

  h.step = 'caseload';
  expect(await page.getByRole('heading', { level: 1 }).innerText() === 'Mine deltagere', 'not the caseload');
  const rows = await page.locator('table.app-caseload tbody tr').count();
  expect(rows > 0, 'anne has no participants in the demo');
  await audit(page, 'participants-da');
  await page.getByLabel('Søg på navn').fill('zzz-no-such-name');
  await page.getByRole('button', { name: 'Filtrér' }).click();
  expect(!page.url().includes('zzz'), 'the name searched for is in the address');
  expect(await page.locator('table.app-caseload').count() === 0, 'the filter found someone');
  await audit(page, 'participants-none-da');

  h.step = 'participant';
  await page.goto(base + '/participants');
  await page.locator('table.app-caseload tbody tr th a').first().click();
  expect(/\/participants\/[^/]+$/.test(page.url()), `not a participant page: ${page.url()}`);
  expect(await page.locator('[aria-current="step"]').count() === 1, 'no current phase');
  await audit(page, 'participant-da');
  await page.getByRole('link', { name: 'English' }).click();
  await audit(page, 'participant-en');
  await page.goto(base + '/participants');
  await audit(page, 'participants-en');
  await page.getByRole('link', { name: 'Dansk' }).click();

  h.step = 'walk a participant from the lead to enrolment';
  await page.goto(base + '/participants');
  await page.getByLabel('Status i forløbet').selectOption('lead');
  await page.getByRole('button', { name: 'Filtrér' }).click();
  await page.locator('table.app-caseload tbody tr th a').first().click();
  const participantUrl = page.url();
  const act = async (name) => {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForLoadState();
  };
  // A contact in two clicks: the form is ready with "Møde" chosen.
  await act('Registrér kontakt');
  expect(await page.getByRole('status').filter({ hasText: 'Kontakten er registreret' }).count() === 1, 'no receipt for the contact');
  await act('Deltageren har haft den indledende vejledning');
  expect((await page.locator('.app-facts').innerText()).includes('Indledende vejledning'), 'not in intake');
  await act('Der er bestilt en realkompetencevurdering (RKV)');
  // The plan before the RKV is done: refused, with the reason in words.
  await act('Deltageren har aftalt en uddannelsesplan');
  const refusal = page.getByRole('alert');
  expect(await refusal.count() === 1, 'no refusal shown');
  expect((await refusal.innerText()).includes('RKV'), `the refusal does not say why: ${await refusal.innerText()}`);
  await audit(page, 'participant-refused-da');
  await page.getByLabel('Uddannelsesspor').selectOption('AMU');
  await act('Realkompetencevurderingen (RKV) er gennemført');
  await act('Deltageren har aftalt en uddannelsesplan');
  await act('Deltageren er tilmeldt uddannelsen');
  const facts = await page.locator('.app-facts').innerText();
  expect(facts.includes('Tilmeldt'), `not enrolled: ${facts}; ${await page.getByRole('alert').allInnerTexts()}`);
  // The history tells who did it and which conditions held.
  expect((await page.locator('.app-timeline').innerText()).includes('realkompetencevurderingen (RKV) er registreret'), 'no conditions in the history');
  // A reload of a form's answer does not do it twice: the form's id is its command's.
  expect(page.url().startsWith(participantUrl), 'left the participant');

  h.step = 'a lead registered in one short form, its errors at their fields';
  await page.getByRole('link', { name: 'Ny henvendelse' }).click();
  await audit(page, 'new-lead-da');
  await page.getByRole('button', { name: 'Registrér henvendelsen' }).click();
  expect(await page.locator('#error-summary a').count() === 2, 'no summary of the two missing fields');
  expect(await page.locator('#lead-name').getAttribute('aria-invalid') === 'true', 'the name is not marked');
  await audit(page, 'new-lead-error-da');
  await page.locator('#error-summary a[href="#lead-name"]').click();
  expect(await page.evaluate(() => document.activeElement?.id) === 'lead-name', 'the summary does not lead to the field');
  await page.keyboard.type('Karin <i>Nielsen</i>');
  await page.getByLabel('Henvist af').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Registrér henvendelsen' }).click();
  expect(await page.getByRole('status').filter({ hasText: 'Henvendelsen er registreret' }).count() === 1, 'no receipt for the lead');
  expect(await page.getByRole('heading', { level: 1 }).innerText() === 'Karin <i>Nielsen</i>', 'the name is not shown as typed');

  h.step = 'an appointment booked from the participant page is in Mine aftaler';
  await page.goto(participantUrl);
  await page.locator('#book-date').fill('2027-01-12');
  await page.locator('#book-starts').fill('10:00');
  await page.locator('#book-ends').fill('11:00');
  await page.locator('#book-place').fill('Lokale 2');
  await act('Book en aftale');
  expect(await page.getByRole('status').filter({ hasText: 'Aftalen er booket' }).count() === 1, 'no receipt for the booking');
  await page.getByRole('link', { name: 'Mine aftaler' }).click();
  expect((await page.locator('.app-appointments').innerText()).includes('10.00–11.00'), 'the appointment is not listed');
  await audit(page, 'appointments-da');

  h.step = 'a timer fires and the task appears in the open inbox without a reload';
  await page.getByRole('link', { name: 'Mine opgaver' }).click();
  await audit(page, 'tasks-da');
  const firstContact = page.locator('.app-tasks li', { hasText: 'Tag første kontakt' });
  expect(await firstContact.count() === 0, 'a first-contact task before its time');
  await page.evaluate(() => { globalThis.notReloaded = true; });
  const moved = await fetch(base + '/v1/admin/clock', {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_ms: 8 * 24 * 3600 * 1000 }),
  });
  expect(moved.status === 200, `moving the clock: ${moved.status} ${await moved.text()}`);
  await firstContact.first().waitFor({ timeout: 20000 });
  expect(await page.evaluate(() => globalThis.notReloaded === true), 'the page was reloaded');
  expect((await page.locator('#task-news').innerText()).length > 0, 'screen readers were not told');
  await audit(page, 'tasks-live-da');

  h.step = 'nothing personal stored in the browser';
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored === '{}{}', `storage holds ${stored}`);
  for (const c of await page.context().cookies()) {
    expect(['pw_session', 'pw_lang', 'pw_signin'].includes(c.name), `a cookie ${c.name}`);
    if (c.name === 'pw_session') expect(c.httpOnly && c.sameSite === 'Strict', 'the session cookie is readable or loose');
  }

  h.step = 'sign-out';
  await page.getByRole('button', { name: /Log ud|Sign out/ }).click();
  expect(page.url().endsWith('/sign-in'), `after sign-out: ${page.url()}`);
  await page.goto(base + '/participants');
  expect(page.url().includes('/sign-in'), 'still signed in after signing out');

  h.step = 'a counsellor works with the keyboard alone';
  page = await newPage();
  // Tab until the element `selector` has the focus: never a click.
  const tabTo = async (selector) => {
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    }
    throw new Error(`the keyboard never reached ${selector}`);
  };
  await page.goto(base + '/');
  await tabTo('#user');
  await page.keyboard.type('bo');
  await tabTo('#password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/participants$/);
  await tabTo('#purpose');
  await page.keyboard.type('Opfølgning');
  await page.keyboard.press('Enter');
  await page.waitForSelector('table.app-caseload');
  await tabTo('table.app-caseload tbody tr:first-child th a');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/participants\/[^/]+$/);
  await tabTo('#contact-topic');
  await page.keyboard.type('Telefonsamtale om praktik');
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=contact/);
  expect(await page.getByRole('status').filter({ hasText: 'Kontakten er registreret' }).count() === 1, 'the contact made by keyboard was not recorded');
  expect((await page.locator('.app-timeline').innerText()).includes('Telefonsamtale om praktik'), 'the contact is not in the history');
  // A risk raised: a choice in a list, then its button, all by keys.
  await tabTo('#risk-type');
  await page.keyboard.press('ArrowDown');
  await tabTo('form:has(#risk-type) button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=risk/);
  expect(await page.getByRole('status').filter({ hasText: 'Risikoen er rejst' }).count() === 1, 'the risk raised by keyboard left no receipt');
  await tabTo('form[action="/sign-out"] button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/sign-in$/);

  h.step = 'a team lead reassigns a task and hands over a caseload';
  page = await newPage();
  await signIn(page, 'tove');
  expect(page.url() === base + '/team', `a team lead starts at ${page.url()}`);
  await page.getByLabel(/Formål/).fill('Fordeling af opgaver i teamet');
  await page.getByRole('button', { name: 'Fortsæt' }).click();
  expect((await page.getByRole('heading', { level: 1 }).innerText()).includes('AMIGO-skolen Aarhus'), 'not the team page');
  await audit(page, 'team-da');
  const overdueTask = page.locator('.app-attention > li').first();
  await overdueTask.locator('summary').click();
  await overdueTask.getByLabel('Til').selectOption('bo');
  await overdueTask.getByLabel('Begrundelse').fill('Anne er på kursus');
  await overdueTask.getByRole('button', { name: 'Giv opgaven videre' }).click();
  expect(await page.getByRole('status').filter({ hasText: 'Opgaven er givet videre' }).count() === 1, 'no receipt for the reassignment');
  const boRow = page.locator('table.app-team tbody tr', { hasText: 'Bo Kristensen' });
  expect(Number(await boRow.locator('td').first().innerText()) > 0, 'bo has no pathways before the handover');
  await page.locator('#handover-from').selectOption('bo');
  await page.locator('#handover-to').selectOption('anne');
  await page.locator('#handover-reason').fill('Bo har orlov');
  await page.getByRole('button', { name: 'Overdrag en vejleders forløb' }).click();
  expect(await page.getByRole('status').filter({ hasText: 'overdraget' }).count() === 1, 'no receipt for the handover');
  expect(await boRow.locator('td').first().innerText() === '0', 'bo still has pathways');
  await audit(page, 'team-done-da');
  // The same form without a reason: refused at once, nothing moved.
  await page.locator('#handover-from').selectOption('anne');
  await page.locator('#handover-to').selectOption('bo');
  await page.getByRole('button', { name: 'Overdrag en vejleders forløb' }).click();
  expect(await page.getByRole('alert').count() === 1, 'a handover without a reason was not refused');
  await audit(page, 'team-error-da');
  await page.goto(base + '/participants');
  await audit(page, 'choose-counsellor-da');

  h.step = 'an administrator sees the pathway drawn and checks a broken file';
  page = await newPage();
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Administration' }).click();
  await audit(page, 'admin-da');
  await page.locator('a[href^="/admin/definitions/amigo/"]').last().click();
  expect(await page.locator('.app-diagram svg g.node').count() > 10, 'no state diagram');
  expect(await page.locator('table').first().locator('tbody tr').count() > 10, 'no transitions table');
  await audit(page, 'definition-da');
  await page.goto(base + '/admin/validate');
  await page.getByLabel('Eller indsæt teksten').fill('id: broken\nversion: 1\nstates:\n  - {id: a\n');
  await page.getByRole('button', { name: 'Tjek filen' }).click();
  const problems = await page.locator('.app-problems').innerText();
  expect(/pasted\.yaml:\d+:\d+/.test(problems), `no line and column: ${problems}`);
  await audit(page, 'validate-error-da');
  await page.locator('#validate-yaml').fill(fs.readFileSync(path.join(h.source, 'config/workflows/amigo.yaml'), 'utf8'));
  await page.getByRole('button', { name: 'Tjek filen' }).click();
  expect(await page.getByRole('status').filter({ hasText: 'Filen er gyldig' }).count() === 1, 'the shipped file was not valid');
  await audit(page, 'validate-ok-da');
  // Leads from a spreadsheet: a bad row refuses the file with its line; then the good ones.
  await page.getByRole('link', { name: 'Importér henvendelser' }).click();
  await audit(page, 'import-da');
  const csv = { name: 'leads.csv', mimeType: 'text/csv',
    buffer: Buffer.from('referral_source;school;identity.name;data.unemployed\njobcenter;amigo_skolen;Ali Hassan;ja\nunion;amigo_skolen;Mette Jensen;måske\n') };
  await page.getByLabel('CSV-fil').setInputFiles(csv);
  await page.getByRole('button', { name: 'Importér', exact: true }).click();
  const report = await page.locator('.app-import-report').innerText();
  expect(/3\s+data.unemployed: `måske`/.test(report), `no line in the report: ${report}`);
  expect((await page.getByRole('alert').innerText()).includes('Intet er importeret'), 'a file with a bad row was imported');
  await audit(page, 'import-error-da');
  await page.getByLabel('CSV-fil').setInputFiles(csv);
  await page.getByLabel(/Importér de gode rækker/).check();
  await page.getByRole('button', { name: 'Importér', exact: true }).click();
  expect((await page.getByRole('status').innerText()).includes('1 henvendelser er importeret'), 'the good row was not imported');
  await page.getByRole('link', { name: 'Fremdrift' }).click();
  expect(await page.locator('svg.app-chart').count() === 3, 'the progress page has no charts');
  expect((await page.locator('main').innerText()).includes('af målet 200'), 'no target on the progress page');
  await audit(page, 'progress-da');
  // The funder's reports: the ESF+ indicators as tables with a chart, the same shared outside
  // the partnership with small cells withheld, a figure opened to its participants' names for
  // a purpose, and the project's figures with the forecast drawn; printable.
  await page.getByRole('link', { name: 'Rapporter' }).click();
  expect(await page.locator('table.app-report-table').count() === 3, 'no ESF+ tables at entry, leaving and six months');
  const esf = await page.locator('main').innerText();
  expect(esf.includes('EECO01') && esf.includes('Opgjort ved position'), `not the ESF+ report: ${esf.slice(0, 300)}`);
  expect(esf.includes('Ufuldstændige registreringer'), 'no incomplete records');
  await audit(page, 'reports-esf-da');
  await page.getByLabel(/Til deling uden for partnerskabet/).check();
  await page.getByRole('button', { name: 'Vis' }).click();
  expect(page.url().includes('shared=true'), `the filter was not applied: ${page.url()}`);
  expect(await page.locator('main a[href^="/reports/esf/cell"]').count() === 0, 'a shared report links to names');
  expect(await page.locator('abbr').count() > 0, 'no cell withheld in a shared report');
  await audit(page, 'reports-shared-da');
  await page.getByLabel(/Til deling uden for partnerskabet/).uncheck();
  await page.getByRole('button', { name: 'Vis' }).click();
  await page.locator('main a[href^="/reports/esf/cell?code=EECO01"]').first().click();
  await page.getByLabel(/Formål/).fill('ESF-afrapportering');
  await page.getByRole('button', { name: 'Fortsæt' }).click();
  expect((await page.locator('table').innerText()).includes('Deltager '), 'the figure did not open to names');
  await audit(page, 'reports-cell-da');
  await page.getByRole('link', { name: 'Tilbage til rapporten' }).click();
  await page.getByRole('link', { name: 'Projektets tal' }).click();
  expect(await page.locator('svg .app-chart-forecast').count() === 1, 'no forecast drawn');
  expect((await page.locator('main').innerText()).includes('af målet 200'), 'no target on the project page');
  await audit(page, 'reports-project-da');
  await page.emulateMedia({ media: 'print' });
  expect(!(await page.locator('form.app-filters').isVisible()), 'the filters are printed');
  expect(await page.locator('svg.app-chart').first().isVisible(), 'the charts are not printed');
  await page.emulateMedia({ media: 'screen' });
  await page.goto(base + '/admin/progress');
  // The partners: the employer's receiver works; other parties have no channel here, so their
  // notifications are dead letters, each sent again from the page.
  await page.getByRole('link', { name: 'Beskeder til partnere' }).click();
  expect((await page.locator('main').innerText()).includes('employer.email'), 'the employer\'s receiver is not listed');
  await audit(page, 'notifications-da');
  const letters = await page.getByRole('button', { name: /^Send igen/ }).count();
  expect(letters > 0, 'no dead letters listed');
  await page.getByRole('button', { name: /^Send igen/ }).first().click();
  expect((await page.getByRole('status').innerText()).includes('sendes igen'), 'no receipt for the replay');

  h.step = 'an auditor checks the chain and opens a pathway as of a date';
  page = await newPage();
  await signIn(page, 'revisor');
  expect(page.url() === base + '/audit', `an auditor starts at ${page.url()}`);
  await audit(page, 'audit-da');
  await page.getByRole('link', { name: 'Tjek kæden nu' }).click();
  expect(await page.getByRole('status').filter({ hasText: 'Kæden er hel' }).count() === 1, 'the chain was not verified');
  await audit(page, 'audit-verified-da');
  // The log downloaded as CSV: a header, then one line per event up to the head.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Hent eksporten' }).click()]);
  expect(download.suggestedFilename() === 'pathways-export.csv', `the export is called ${download.suggestedFilename()}`);
  const exported = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(exported.length > 100 && exported[0].startsWith('position'), `the export has ${exported.length} lines: ${exported[0]}`);
  expect(!exported.join('\n').includes('Deltager '), 'a name is in the export');
  await page.getByLabel('Forløbets id').fill(new URL(participantUrl).pathname.split('/').pop());
  await page.getByRole('button', { name: 'Åbn' }).click();
  expect((await page.locator('.app-facts').innerText()).includes('Tilmeldt'), 'not the state today');
  await page.getByLabel('Dato').fill('2027-01-10');
  await page.getByRole('button', { name: 'Vis' }).click();
  expect((await page.getByRole('heading', { level: 1 }).innerText()).includes('fandtes ikke'), 'the pathway existed before it was registered');
  await page.goBack();
  await page.getByLabel('Dato').fill('2027-01-11');
  await page.getByRole('button', { name: 'Vis' }).click();
  expect((await page.locator('main').innerText()).includes('Afviste handlinger'), 'no refused actions section');
  expect((await page.locator('main').innerText()).includes('Deltageren har aftalt en uddannelsesplan'), 'the refused plan is not shown');
  await audit(page, 'audit-pathway-da');
  await page.getByRole('link', { name: 'Opslag i personoplysninger' }).click();
  expect((await page.locator('table').innerText()).includes('Opfølgning på mine deltagere'), 'the reads are not listed with their purpose');
  await audit(page, 'audit-reads-da');

  h.step = 'an auditor downloads a participant\'s proof and checks the log only grew';
  await page.goto(base + '/audit');
  await page.getByRole('link', { name: 'Åbn beviserne' }).click();
  expect(page.url() === base + '/audit/proofs', `the proofs are at ${page.url()}`);
  // The checkpoint signed at the start went to the witness's folder: the one an auditor kept.
  const folder = path.join(h.work, 'checkpoints');
  const kept = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => /^\d+\.checkpoint$/.test(f)) : [];
  expect(kept.length === 1, `the witness folder holds ${kept.join(', ')}`);
  await audit(page, 'audit-proofs-da');
  await page.getByRole('button', { name: 'Underskriv et kontrolpunkt nu' }).click();
  const walkedId = new URL(participantUrl).pathname.split('/').pop();
  await page.getByLabel('Forløbets id').fill(walkedId);
  const [proof] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Hent beviset' }).click()]);
  expect(proof.suggestedFilename() === `${walkedId}.proof`, `the proof is called ${proof.suggestedFilename()}`);
  expect(fs.readFileSync(await proof.path(), 'utf8').startsWith('pathways/inclusion-proof@v1\n'), 'not an inclusion bundle');
  if (kept.length > 0) {
    await page.getByLabel('Kontrolpunkt (en fil)').setInputFiles(path.join(folder, kept[0]));
    await page.getByRole('button', { name: 'Kontrollér' }).click();
    expect((await page.getByRole('status').innerText()).includes('Loggen er kun vokset'), 'the log was not shown to have only grown');
    await audit(page, 'audit-proofs-grew-da');
  }

  h.step = 'an employer confirms the probation through the link in the email';
  page = await newPage();
  await signIn(page, 'anne');
  await page.getByLabel(/Formål/).fill('Uddannelsesaftale');
  await page.getByRole('button', { name: 'Fortsæt' }).click();
  await page.getByLabel('Status i forløbet').selectOption('lead');
  await page.getByRole('button', { name: 'Filtrér' }).click();
  await page.locator('table.app-caseload tbody tr th a').first().click();
  const apprenticeUrl = page.url();
  const apprentice = new URL(apprenticeUrl).pathname.split('/').pop();
  const press = async (name) => {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForLoadState();
  };
  await page.locator('#employer-name').fill('Smedjen ApS');
  await page.locator('#employer-cvr').fill('12345674');
  await page.locator('#employer-contact').fill('Mette Smed');
  await page.locator('#employer-email').fill('mette@smedjen.example');
  await page.locator('#employer-sme').check();
  await press('Registrér virksomheden');
  expect((await page.locator('.app-facts').innerText()).includes('Smedjen ApS'), 'the employer is not shown');
  await page.locator('#f-hold_intake-age_at_entry').fill('31');
  await press('Deltageren har haft den indledende vejledning');
  await press('Der er bestilt en realkompetencevurdering (RKV)');
  // EUV2 with a contract signed before the enrolment (it meets the admission requirement):
  // the apprenticeship, and its probation, begins after GF2.
  await page.locator('#f-complete_rkv-track').selectOption('EUV2');
  await press('Realkompetencevurderingen (RKV) er gennemført');
  await press('Deltageren har aftalt en uddannelsesplan');
  await page.locator('#f-sign_contract-contract_start').fill('2027-03-01');
  await press('Der er indgået en uddannelsesaftale');
  await press('Deltageren er tilmeldt uddannelsen');
  await page.locator('#f-start_basic_course-gf2_end').fill('2027-02-26');
  await press('Deltageren er startet på grundforløb 2');
  await press('Deltageren har bestået grundforløbsprøven');
  await press('Grundforløbet er afsluttet');
  expect((await page.locator('.app-facts').innerText()).includes('Prøvetid'), `not on probation: ${await page.locator('.app-facts').innerText()}; ${await page.getByRole('alert').allInnerTexts()}`);
  // The email to the employer, from the SMTP server, carries the link.
  let link = '';
  for (let i = 0; i < 500 && !link; i++) {
    for (const m of emails()) {
      const found = m.text.match(/(http:\/\/127\.0\.0\.1:\d+\/confirm\/[A-Za-z0-9_.-]+)/);
      if (m.to.includes('mette@smedjen.example') && m.text.includes(apprentice) && found) link = found[1];
    }
    if (!link) await new Promise((r) => setTimeout(r, 20));
  }
  expect(link !== '', 'no email with a link reached the SMTP server');
  // The employer has no account: a browser of its own, never signed in.
  const employer = await newPage();
  await employer.goto(link);
  expect((await employer.getByRole('heading', { level: 1 }).innerText()).includes('Bekræft for Smedjen ApS'), 'not the confirm page');
  expect(!(await employer.locator('main').innerText()).includes('Deltager'), 'the page shows the participant');
  await audit(employer, 'confirm-da');
  await employer.getByRole('button', { name: 'Prøvetiden er udløbet og uddannelsesaftalen fortsætter' }).click();
  await employer.waitForLoadState();
  expect((await employer.getByRole('heading', { level: 1 }).innerText()).includes('Tak'), 'no thanks');
  await audit(employer, 'confirm-done-da');
  await employer.goto(link);
  expect((await employer.getByRole('heading', { level: 1 }).innerText()).includes('brugt'), 'the link worked twice');
  await audit(employer, 'confirm-used-da');
  expect(!h.serverLog().includes(link.split('/confirm/')[1]), 'a link is in the server log');
  // The counsellor sees it in the history, by the party.
  await page.goto(apprenticeUrl);
  expect((await page.locator('.app-facts').innerText()).includes('Hovedforløb'), 'the confirmation did not move the pathway');
  expect((await page.locator('.app-timeline').innerText()).includes('Virksomhed (uden for Pathways)'), 'the history does not say the employer did it');

  h.step = 'every page again in English, for each role';
  const walked = new URL(participantUrl).pathname.split('/').pop();
  const inEnglish = async (user, purpose, pages) => {
    const english = await newPage();
    await english.context().addCookies([{ name: 'pw_lang', value: 'en', url: base }]);
    await signIn(english, user);
    if (purpose) {
      await english.getByLabel(/Purpose/).fill(purpose);
      await english.getByRole('button', { name: 'Continue' }).click();
    }
    for (const [name, address] of pages) {
      await english.goto(base + address);
      expect(await english.locator('html').getAttribute('lang') === 'en', `${name} is not in English`);
      await audit(english, name);
    }
  };
  await inEnglish('anne', 'Follow-up', [['tasks-en', '/tasks'], ['appointments-en', '/appointments'],
    ['new-lead-en', '/participants/new'], ['apprentice-en', new URL(apprenticeUrl).pathname]]);
  await inEnglish('tove', 'Team planning', [['team-en', '/team']]);
  await inEnglish('admin', '', [['admin-en', '/admin'], ['validate-en', '/admin/validate'],
    ['import-en', '/admin/import'], ['progress-en', '/admin/progress'], ['notifications-en', '/admin/notifications'],
    ['reports-en', '/reports'], ['reports-project-en', '/reports/project']]);
  await inEnglish('revisor', '', [['audit-en', '/audit'], ['audit-pathway-en', `/audit/pathways/${walked}?at=2027-01-11`],
    ['audit-reads-en', `/audit/pathways/${walked}/reads`], ['audit-proofs-en', '/audit/proofs']]);
  const partner = await newPage();
  await partner.context().addCookies([{ name: 'pw_lang', value: 'en', url: base }]);
  await partner.goto(link);
  await audit(partner, 'confirm-used-en');

  h.step = 'no personal data in the server log';
  expect(h.serverLog().length > 0, 'the server logged nothing');
  expect(!/Deltager \d/.test(h.serverLog()), 'a participant\'s name is in the server log');
  expect(!h.serverLog().includes('zzz-no-such-name'), 'a name searched for is in the server log');
  expect(!h.serverLog().includes(PASSWORD), 'a password is in the server log');

  h.step = 'not found';
  await page.goto(base + '/no-such-page');
  await audit(page, 'not-found-da');
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await h.finish();
}
