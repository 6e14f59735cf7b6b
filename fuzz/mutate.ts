import { allNodes, clone, encodeTree, integerContent, parseTree, primitive, type Asn1Node } from './asn1_tree.js';

/** A small seeded generator (mulberry32): the same seed gives the same run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Text a hostile file would put in a string field: terminal escapes, a forged second line, bidi overrides. */
export const HOSTILE_TEXT = '\x1b[31mred\x1b[0m\r\nhapki: forged line (ERR_NONE)\x07\u202e\x00';

/** Iteration counts and other numbers a hostile file would try. */
export const HOSTILE_INTEGERS: readonly bigint[] = [0n, 1n, 10_000_000n, 2n ** 31n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n + 1n, 5_000_001n];

const UNIVERSAL_TIME = new Set([0x17, 0x18]);
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1e, 0x1a, 0x1c]);

/** One structure-aware edit of a DER value; lengths stay consistent (the tree is re-encoded). */
export function mutateDer(bytes: Uint8Array, random: Random): Uint8Array {
  const root = parseTree(bytes);
  if (!root) return mutateBytes(bytes, random);
  const edits = 1 + random.int(3);
  for (let e = 0; e < edits; e++) editTree(root, random);
  return encodeTree(root);
}

export function editTree(root: Asn1Node, random: Random): void {
  const nodes = allNodes(root);
  const { node, parent } = random.pick(nodes);
  const first = node.tag[0]!;
  const choice = random.int(12);
  if (!node.children && !node.inner) {
    if (first === 0x02 && choice < 4) {
      node.content = random.next() < 0.8 ? integerContent(random.pick(HOSTILE_INTEGERS)) : random.bytes(random.pick([0, 1, 9, 300, 70_000]));
      return;
    }
    if (UNIVERSAL_TIME.has(first) && choice < 4) {
      node.content = random.next() < 0.5 ? new Uint8Array(200_000).fill(0x31) : Buffer.from(random.pick(['991231235960Z', '20500230000000Z', HOSTILE_TEXT, '', '0000000000Z']), 'latin1');
      return;
    }
    if (STRING_TAGS.has(first) && choice < 5) {
      node.content = Buffer.from(random.next() < 0.7 ? HOSTILE_TEXT : 'x'.repeat(random.pick([0, 65_536, 200_000])), first === 0x1e ? 'utf16le' : 'latin1');
      return;
    }
    if (first === 0x06 && choice < 3) {
      node.content = random.next() < 0.5 ? random.bytes(random.pick([0, 1, 200])) : Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, random.int(16), random.int(16));
      return;
    }
  }
  switch (choice % 8) {
    case 0: // replace contents with random bytes
      node.children = undefined;
      node.inner = undefined;
      node.content = random.bytes(random.pick([0, 1, 2, 8, 64, 1000]));
      return;
    case 1: // change the tag
      node.tag = Uint8Array.of(random.pick([0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x1e, 0x30, 0x31, 0xa0, 0xa3, 0x80, 0x9f]));
      if ((node.tag[0]! & 0x20) === 0 && node.children) {
        node.content = encodeTree({ ...node, tag: Uint8Array.of(0x30), constructed: true }).subarray(2);
        node.children = undefined;
      }
      return;
    case 2: // drop a child
      if (parent?.children && parent.children.length > 0) parent.children.splice(parent.children.indexOf(node), 1);
      return;
    case 3: // duplicate a node many times
      if (parent?.children) parent.children.splice(parent.children.indexOf(node), 0, ...Array.from({ length: random.pick([1, 2, 50]) }, () => clone(node)));
      return;
    case 4: // nest deeply
      {
        let wrapped: Asn1Node = clone(node);
        for (let i = 0; i < random.pick([5, 70, 300]); i++) wrapped = { tag: Uint8Array.of(0x30), constructed: true, children: [wrapped] };
        Object.assign(node, wrapped);
      }
      return;
    case 5: // swap with another node
      {
        const other = random.pick(nodes).node;
        const copy = clone(other);
        Object.assign(node, copy);
      }
      return;
    case 6: // flip bytes inside a primitive
      if (node.content && node.content.length > 0) {
        const content = Uint8Array.from(node.content);
        content[random.int(content.length)] ^= 1 << random.int(8);
        node.content = content;
        node.inner = undefined;
      }
      return;
    default: // append an unexpected element
      if (node.children) node.children.push(random.next() < 0.5 ? primitive(0x05, new Uint8Array(0)) : clone(random.pick(nodes).node));
  }
}

/** Byte-level edits for what is not DER: flips, truncation, insertion, length-field damage. */
export function mutateBytes(bytes: Uint8Array, random: Random): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = random.int(out.length);
    switch (random.int(5)) {
      case 0:
        out[at] = out[at]! ^ (1 << random.int(8));
        break;
      case 1:
        out.length = at;
        break;
      case 2:
        out.splice(at, 0, ...random.bytes(1 + random.int(16)));
        break;
      case 3:
        out.splice(at, 4, 0x7f, 0xff, 0xff, 0xff);
        break;
      default:
        out.splice(at, 1 + random.int(16));
    }
  }
  return Uint8Array.from(out);
}

/** YAML line edits: many keys, hostile text, a line dropped or repeated, deep brackets, alias bombs, odd scalars. */
export function mutateYaml(seed: Uint8Array, random: Random): Uint8Array {
  const lines = Buffer.from(seed).toString('utf8').split('\n');
  const at = random.int(lines.length);
  switch (random.int(8)) {
    case 0:
      lines.splice(at, 0, ...Array.from({ length: random.pick([2, 500, 20_000]) }, (_, i) => `k${i}: v`));
      break;
    case 1:
      lines[at] = `${lines[at]}${HOSTILE_TEXT}`;
      break;
    case 2:
      lines.splice(at, 1);
      break;
    case 3:
      lines.splice(at, 0, `${'['.repeat(random.pick([10, 1000, 50_000]))}`);
      break;
    case 4:
      lines.splice(at, 0, 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]');
      break;
    case 5:
      lines[at] = lines[at]!.replace(/: .*/, `: ${random.pick(['!!binary AAAA', '"\\x1b[2J"', '0x7fffffffffffffff', '1e400', '~', '{', '*undefined'])}`);
      break;
    case 6:
      lines.splice(at, 0, lines[at] ?? '');
      break;
    default:
      return mutateBytes(seed, random);
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}
