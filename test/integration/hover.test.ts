// The IP hover in the real extension host (vscode.executeHoverProvider), on the demo tenant: IPv4, IPv6, defanged,
// internal with a timestamp, hostile data from the API, and positions without an address.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import type * as vscode from 'vscode';
import { DEMO_C2_IP, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, DEMO_IPV6_IP, HOSTILE_STRINGS, demoInternalHolderAt } from '../../src/simulator/story';
import { extensionApi, hoverMarkdown, hoverUntil, positionOf, showDocument, unescapeMarkdown } from './surfaceHelpers';

const DEMO_FOOTER = 'Demo tenant: simulated data';
const OUR_COMMANDS = ['ipInvestigator.investigateIp', 'ipInvestigator.findMachinesByIp', 'ipInvestigator.copyAddress', 'ipInvestigator.openInPortal', 'ipInvestigator.signIn', 'ipInvestigator.addIndicator'];

function commandLinks(md: string): string[] {
  return [...md.matchAll(/\]\(([a-z][\w+.-]*:[^)\s]*)/gi)].map((m) => m[1]);
}

suite('Hover', () => {
  let doc: vscode.TextDocument;
  const holderAt = demoInternalHolderAt(Date.now()).toISOString();
  const text = [
    `2026-01-01T00:00:00Z fw1 ALLOW tcp 10.1.1.1:51522 -> ${DEMO_C2_IP}:443 bytes=1024`,
    `ioc: hxxp://198[.]51[.]100[.]23/x.sh seen in mail`,
    `${holderAt} dhcp ACK ${DEMO_INTERNAL_IP} to fin-ws-017`,
    `ipv6 peer ${DEMO_IPV6_IP} port 443`,
    `nothing to see here, version 1.2 only`,
  ].join('\n');

  suiteSetup(async function () {
    this.timeout(60_000);
    await extensionApi();
    doc = (await showDocument(text, 'log')).document;
  });

  test('IPv4: classification at once, then prevalence, alerts and machines from the demo tenant', async () => {
    const position = positionOf(doc, DEMO_C2_IP, 3);
    const first = await hoverMarkdown(doc, position);
    assert.match(unescapeMarkdown(first.value), new RegExp(`\\*\\*${DEMO_C2_IP.replace(/\./g, '\\.')}\\*\\* · IPv4 · Documentation`));
    assert.match(unescapeMarkdown(first.value), /TEST-NET-2/);
    assert.match(unescapeMarkdown(first.value), /port 443/);
    assert.match(unescapeMarkdown(first.value), /Line time: 2026-01-01 00:00:00 UTC/);
    const full = unescapeMarkdown(await hoverUntil(doc, position, /In your organisation \(\d+ d\):\*\* \d+ machines[\s\S]*\*\*Alerts:\*\* \d+[\s\S]*\*\*Machines observed:\*\* \d+/));
    assert.match(full, /High \d+/);
    assert.ok(full.includes(DEMO_FOOTER), 'demo footer');
    const hover = (await hoverMarkdown(doc, position)).hovers.find((h) => h.contents.some((c) => typeof c !== 'string' && c.value.includes('IPv4')));
    assert.ok(hover?.range, 'the hover covers the address');
    assert.equal(doc.getText(hover.range), DEMO_C2_IP);
  });

  test('links go only to our own commands, with JSON arguments', async () => {
    const md = await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 3), /Machines observed/);
    const links = commandLinks(md);
    assert.ok(links.length >= 3, md);
    for (const link of links) {
      assert.ok(link.startsWith('command:'), `only command links: ${link}`);
      const id = link.slice('command:'.length).split('?')[0];
      assert.ok(OUR_COMMANDS.includes(id), `unexpected command ${id}`);
    }
    const investigate = links.find((l) => l.startsWith('command:ipInvestigator.investigateIp?'))!;
    assert.equal((JSON.parse(decodeURIComponent(investigate.split('?')[1] ?? '')) as { ip: string }).ip, DEMO_C2_IP);
  });

  test('API text is escaped: hostile machine names and alert titles stay inert', async () => {
    const md = await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 3), /Machines observed/);
    for (const hostile of [HOSTILE_STRINGS.script, HOSTILE_STRINGS.img, HOSTILE_STRINGS.commandLink, HOSTILE_STRINGS.codicon, HOSTILE_STRINGS.bold]) {
      assert.ok(!md.includes(hostile), `raw ${hostile} in the hover`);
    }
    assert.ok(!md.includes('\u202E'), 'bidi override removed');
    assert.doesNotMatch(md, /(^|[^\\])<(img|script)/i);
    assert.ok(!md.includes('command:workbench'), 'no foreign command link');
  });

  test('defanged text is refanged and said so', async () => {
    const md = unescapeMarkdown((await hoverMarkdown(doc, positionOf(doc, '198[.]51', 2))).value);
    assert.match(md, new RegExp(`\\*\\*${DEMO_C2_IP.replace(/\./g, '\\.')}\\*\\*`));
    assert.match(md, /refanged from 198\[\.\]51\[\.\]100\[\.\]23/);
  });

  test('IPv6 is normalised and classified', async () => {
    const md = unescapeMarkdown((await hoverMarkdown(doc, positionOf(doc, DEMO_IPV6_IP, 6))).value);
    assert.match(md, /\*\*2001:db8:85a3::8a2e:370:7334\*\* · IPv6 · Documentation/);
  });

  test('internal address with a recent line time: "Find machines at" and the machine that held it', async () => {
    const position = positionOf(doc, DEMO_INTERNAL_IP, 4);
    const md = await hoverUntil(doc, position, new RegExp(`Held this address at [^\\n]*${DEMO_HOLDER_NAME.replace(/\./g, '\\.')}`));
    const plain = unescapeMarkdown(md);
    assert.match(plain, /IPv4 · Private/);
    assert.match(plain, /Private-Use \(10\.0\.0\.0\/8\)/);
    const find = commandLinks(md).find((l) => l.startsWith('command:ipInvestigator.findMachinesByIp?'));
    assert.ok(find, 'Find machines at <time> link');
    assert.deepEqual(JSON.parse(decodeURIComponent(find.split('?')[1])), { ip: DEMO_INTERNAL_IP, at: holderAt });
  });

  test('no address under the cursor: no hover from us', async () => {
    for (const needle of ['nothing', 'version 1.2', 'fw1 ALLOW']) {
      const { value } = await hoverMarkdown(doc, positionOf(doc, needle, needle.length - 1));
      assert.equal(value, '', `hover at ${needle}`);
    }
  });
});
