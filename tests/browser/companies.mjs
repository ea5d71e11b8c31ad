// The companies' pages in a real browser (the harness: harness.mjs) against a real `pathways
// serve` with the demo's company records: a consultant's "Virksomheder", a company's page and
// its forms, a new record with its errors at their fields, the pipeline per school, a team
// lead's view, a follow-up task from a timer in the inbox, and a form sent without JavaScript.
// Every page is checked with axe-core, in Danish and English.
//
//   node tests/browser/companies.mjs --bin build/tools/pathways --source . --out build/companies \
//     [--docs docs/screenshots]   (also the pictures docs/companies.md shows)
//
// Exits non-zero after a failure, naming the step.
import { startWorkspace } from './harness.mjs';

const h = await startWorkspace({
  name: 'companies',
  workflows: ['amigo.yaml', 'company.yaml'],
  users: ['karin', 'tove', 'admin', 'anne'],
  docPages: ['companies-da', 'company-da', 'pipeline-da'],
});
const { base, adminToken, expect, fail, audit, newPage, signIn } = h;

const heading = async (page) => page.getByRole('heading', { level: 1 }).innerText();
const receipt = (page, text) => page.getByRole('status').filter({ hasText: text });
const givePurpose = async (page) => {
  if (await heading(page) !== 'Formål med opslaget') return;
  await page.getByLabel(/Formål/).fill('Virksomhedsdialog');
  await page.getByRole('button', { name: 'Fortsæt' }).click();
};

try {
  h.step = "a consultant's companies";
  const page = await newPage();
  await signIn(page, 'karin');
  expect(page.url() === base + '/companies', `a consultant's home is not the companies: ${page.url()}`);
  expect(await heading(page) === 'Mine virksomheder', `not the consultant's own: ${await heading(page)}`);
  const rows = page.locator('table.app-companies tbody tr');
  expect(await rows.count() === 3, `karin keeps three companies in the demo, not ${await rows.count()}`);
  await audit(page, 'companies-da');

  h.step = 'filters in the address';
  await page.getByLabel('Status i dialogen').selectOption({ label: 'Har takket nej' });
  await page.getByRole('button', { name: 'Filtrér' }).click();
  expect(page.url().includes('state=declined'), `the filter is not in the address: ${page.url()}`);
  expect(await rows.count() === 1, `one declined company, not ${await rows.count()}`);
  expect((await rows.first().innerText()).includes('Byg & Anlæg'), 'not the declined company');
  await page.getByLabel('Hvis virksomheder').selectOption({ label: 'Hele skolens' });
  await page.getByLabel('Status i dialogen').selectOption({ label: 'Alle' });
  await page.getByLabel('Grøn omstilling').selectOption({ label: 'Energieffektivisering' });
  await page.getByRole('button', { name: 'Filtrér' }).click();
  await audit(page, 'companies-filtered-da');

  h.step = 'a company page, its contact persons read for a purpose';
  await page.goto(base + '/companies');
  await page.getByRole('link', { name: 'Grøn Energi Service ApS' }).click();
  await givePurpose(page);
  expect(await heading(page) === 'Grøn Energi Service ApS', `not the company page: ${await heading(page)}`);
  expect(await page.locator('[aria-current="step"]').count() === 1, 'no current step');
  const companyUrl = page.url();
  await audit(page, 'company-da');

  h.step = 'a visit recorded with notes, a need, a contact person, a step';
  await page.getByLabel('Telefon', { exact: true }).check();
  await page.locator('#contact-minutes').fill('25');
  await page.locator('#contact-topic').fill('Første opkald om varmepumper');
  await page.locator('#contact-notes').fill('Ejeren vil gerne have et besøg i marts');
  await page.getByRole('button', { name: 'Registrér kontakt' }).click();
  expect(await receipt(page, 'Kontakten er registreret').count() === 1, 'no receipt for the contact');
  const contacts = await page.locator('section[aria-labelledby="contacts-heading"]').innerText();
  expect(contacts.includes('Første opkald om varmepumper') && contacts.includes('Ejeren vil gerne'), `the contact is not listed: ${contacts}`);
  await page.locator('#need-competences').fill('Installation og service af varmepumper');
  await page.locator('#need-courses').fill('48596, 40123');
  await page.locator('#need-staff').fill('3');
  await page.locator('section[aria-labelledby="need-heading"]').getByLabel('Vedvarende energi').check();
  await page.getByRole('button', { name: 'Registrér behov' }).click();
  expect(await receipt(page, 'Behovet er registreret').count() === 1, 'no receipt for the need');
  expect((await page.locator('.app-needs').innerText()).includes('Vedvarende energi'), 'the need has no green tag');
  await page.locator('#person-name').fill('Jens <b>Varme</b>');
  await page.locator('#person-role').fill('Værkfører');
  await page.getByRole('button', { name: 'Tilføj kontaktperson' }).click();
  expect(await receipt(page, 'Kontaktpersonen er gemt').count() === 1, 'no receipt for the contact person');
  expect((await page.locator('.app-persons').innerText()).includes('Jens <b>Varme</b>'), 'the name is not shown as typed');
  await page.getByRole('button', { name: 'Virksomheden er kontaktet', exact: true }).click();
  expect((await page.locator('.app-facts').innerText()).includes('Kontaktet'), 'the stage did not move');
  await page.getByRole('button', { name: 'Dialogen er i gang' }).click();
  // A decline without its reason: refused, with the field named.
  await page.getByRole('button', { name: 'Virksomheden har takket nej' }).click();
  expect(await page.getByRole('alert').count() === 1, 'a decline without a reason was not refused');
  await audit(page, 'company-refused-da');
  await page.getByLabel('Årsag til nej').selectOption({ label: 'Dårlig timing' });
  await page.getByRole('button', { name: 'Virksomheden har takket nej' }).click();
  expect((await page.locator('.app-facts').innerText()).includes('Har takket nej'), 'not declined');
  await page.getByRole('link', { name: 'English' }).click();
  await audit(page, 'company-en');
  await page.getByRole('link', { name: 'Dansk' }).click();

  h.step = 'a new company, its errors at their fields';
  await page.goto(base + '/companies');
  await page.getByRole('link', { name: 'Ny virksomhed' }).click();
  await audit(page, 'new-company-da');
  await page.getByLabel('CVR').fill('12345678');
  await page.getByRole('button', { name: 'Opret virksomheden' }).click();
  expect(await page.locator('#error-summary a').count() === 4, `not four problems: ${await page.locator('#error-summary').innerText()}`);
  expect(await page.locator('#company-cvr').getAttribute('aria-invalid') === 'true', 'the CVR is not marked');
  await audit(page, 'new-company-error-da');
  await page.locator('#error-summary a[href="#company-cvr"]').click();
  expect(await page.evaluate(() => document.activeElement?.id) === 'company-cvr', 'the summary does not lead to the field');
  await page.locator('#company-cvr').fill('10150817');
  await page.locator('#company-name').fill('Tømrer Hansen ApS');
  await page.locator('#company-size_band').selectOption('micro');
  await page.locator('#company-industry').selectOption('43');
  await page.getByRole('button', { name: 'Opret virksomheden' }).click();
  expect(await receipt(page, 'Virksomheden er oprettet').count() === 1, `no receipt: ${await heading(page)}`);
  expect(page.url().startsWith(base + '/companies/10150817'), `not the new record: ${page.url()}`);

  h.step = 'the pipeline per school';
  await page.goto(base + '/companies');
  await page.getByRole('link', { name: 'Virksomheder pr. skole' }).click();
  const pipeline = await page.locator('table.app-pipeline').innerText();
  expect(pipeline.includes('AMIGO-skolen Aarhus') && pipeline.includes('Erhvervsskolen Nordvest'), `not side by side: ${pipeline}`);
  expect(!pipeline.includes('Smedjen'), 'the pipeline names a company');
  await audit(page, 'pipeline-da');
  await page.getByRole('link', { name: 'English' }).click();
  await audit(page, 'pipeline-en');
  await page.goto(base + '/companies');
  await audit(page, 'companies-en');
  await page.goto(base + '/companies/new');
  await audit(page, 'new-company-en');
  await page.getByRole('link', { name: 'Dansk' }).click();

  h.step = "a timer's follow-up in the consultant's inbox, linked to the company";
  const moved = await fetch(base + '/v1/admin/clock', {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_ms: 15 * 24 * 3600 * 1000 }),
  });
  expect(moved.ok, `the clock did not move: ${moved.status}`);
  let task = page.locator('.app-tasks li', { hasText: 'Tag første kontakt til virksomheden' });
  for (let i = 0; i < 200 && await task.count() === 0; i++) {
    await page.goto(base + '/tasks');
    await page.waitForTimeout(100);
  }
  expect(await task.count() === 1, 'no first-contact task for the new company');
  await audit(page, 'tasks-company-da');
  await task.getByRole('link', { name: 'Tømrer Hansen ApS' }).click();
  expect(page.url().startsWith(base + '/companies/10150817'), `the task does not lead to the company: ${page.url()}`);

  h.step = "a team lead's view: the school's companies, no notes";
  const lead = await newPage();
  await signIn(lead, 'tove');
  await lead.goto(companyUrl);
  await givePurpose(lead);
  expect(await heading(lead) === 'Grøn Energi Service ApS', `the team lead does not see the company: ${await heading(lead)}`);
  expect(!(await lead.locator('main').innerText()).includes('Ejeren vil gerne'), 'a team lead reads the consultant\'s notes');
  await audit(lead, 'company-team-lead-da');
  await lead.goto(base + '/companies');
  expect(await lead.locator('table.app-companies tbody tr').count() >= 4, 'the team lead does not see the school\'s');

  h.step = 'a counsellor sees only their participants\' employers';
  const counsellor = await newPage();
  await signIn(counsellor, 'anne');
  await counsellor.goto(base + '/companies');
  const seen = await counsellor.locator('main').innerText();
  expect(!seen.includes('Grøn Energi Service'), 'a counsellor sees a company none of theirs works for');
  await audit(counsellor, 'companies-counsellor-da');

  h.step = 'a form without JavaScript';
  const plain = await newPage({ javaScriptEnabled: false });
  await signIn(plain, 'karin');
  await plain.goto(companyUrl);
  await givePurpose(plain);
  await plain.locator('#contact-topic').fill('Opfølgning uden script');
  await plain.getByRole('button', { name: 'Registrér kontakt' }).click();
  expect(await receipt(plain, 'Kontakten er registreret').count() === 1, 'the contact form needs JavaScript');
  await plain.locator('#person-name').fill('Mette Ny');
  await plain.getByRole('button', { name: 'Tilføj kontaktperson' }).click();
  await plain.getByText('Ret eller fjern').first().click();
  await plain.locator('.app-persons details[open]').getByLabel('Begrundelse').fill('Har skiftet job');
  await plain.locator('.app-persons details[open]').getByRole('button', { name: 'Fjern kontaktpersonen' }).click();
  expect(await receipt(plain, 'Kontaktpersonen er fjernet').count() === 1, 'the contact person was not removed');

  h.step = 'a method note shared with the partnership, read by a counsellor';
  await page.goto(base + '/notes');
  await audit(page, 'notes-empty-da');
  await page.getByLabel('Opsøgende arbejde med virksomheder').check();
  await page.locator('#share-title').fill('Morgenmøder hos mesteren');
  await page.locator('#share-text').fill('Vi mødes med mesteren før arbejdstid.\n\nSå kan ingen blive væk.');
  await page.getByRole('button', { name: 'Del en metodenote' }).click();
  expect(await receipt(page, 'Noten er delt med partnerskabet').count() === 1, 'the note was not shared');
  await counsellor.goto(base + '/notes');
  expect(await counsellor.getByRole('heading', { name: 'Morgenmøder hos mesteren' }).count() === 1, 'a counsellor does not read the note');
  expect(await counsellor.locator('main p', { hasText: 'Så kan ingen blive væk.' }).count() === 1, 'the note\'s paragraphs are not kept');
  await audit(counsellor, 'notes-da');

  h.step = 'the administrator imports companies from a spreadsheet file';
  const admin = await newPage();
  await signIn(admin, 'admin');
  await admin.goto(base + '/admin/import-companies');
  await audit(admin, 'import-companies-da');
  const csv = { name: 'virksomheder.csv', mimeType: 'text/csv',
    buffer: Buffer.from('cvr;name;size_band;industry\n20000007;Smedjen Nord ApS;small;25\n') };
  await admin.locator('#import-file').setInputFiles(csv);
  await admin.getByRole('button', { name: 'Tjek filen' }).click();
  expect(await admin.getByText('Filen kan importeres: 1 virksomheder.').count() === 1, 'the file was not checked');
  await admin.locator('#import-file').setInputFiles(csv);
  await admin.getByRole('button', { name: 'Importér', exact: true }).click();
  expect(await admin.getByText('1 virksomheder er importeret', { exact: false }).count() === 1, 'the companies were not imported');
  await audit(admin, 'import-companies-done-da');

  h.step = 'not found';
  await page.goto(base + '/companies/12345678');
  expect(await heading(page) !== 'Grøn Energi Service ApS', 'a mistyped CVR found a company');
  await audit(page, 'company-not-found-da');

  h.step = 'no contact person or note in the server log';
  expect(!h.serverLog().includes('Ejeren vil gerne'), 'a note is in the server log');
  expect(!h.serverLog().includes('Jens <b>Varme</b>'), 'a contact person is in the server log');
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await h.finish();
}
