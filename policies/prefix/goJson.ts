/**
 * Go's `json.Marshal` of chat messages, byte for byte, as GAIE v1.5.0's `getUserInputBytes` hashes
 * them (`epp.md` §2.1): `[{"role":"…","content":…}]`, no spaces.
 *
 * The Go types (GAIE `LLMRequest` body):
 *   Message      {Role string `json:"role,omitempty"`; Content Content `json:"content,omitempty"`}
 *   Content      MarshalJSON: Raw != "" → the string; Structured != nil → the block array; else ""
 *   ContentBlock {Type `json:"type"`; Text `json:"text,omitempty"`; ImageURL ImageBlock `json:"image_url,omitempty"`;
 *                 InputAudio AudioBlock `json:"input_audio,omitempty"`; VideoURL VideoBlock `json:"video_url,omitempty"`}
 *   ImageBlock / VideoBlock {Url `json:"url,omitempty"`}, AudioBlock {Data `json:"data,omitempty"`; Format `json:"format,omitempty"`}
 * Go's `omitempty` drops an empty string but never a struct, so every block carries `image_url`,
 * `input_audio` and `video_url` (as `{}` when empty) — the field list `epp.md` gives. Content is
 * never omitted either (a struct), so an empty message content marshals as `"content":""`.
 *
 * Strings are escaped like Go's encoder with HTML escaping on (json.Marshal's default): `"` `\`
 * → `\"` `\\`; `\b \f \n \r \t` short forms (Go ≥ 1.22); other control characters → `\u00xx`
 * (lower-case hex); `<` `>` `&` → `\u003c` `\u003e` `\u0026`; U+2028/U+2029 → `\u2028`/`\u2029`;
 * everything else (including DEL and non-ASCII) verbatim. A lone surrogate, which Go would have
 * decoded to U+FFFD, becomes U+FFFD when the result is encoded as UTF-8.
 */
import type { ChatMessage, ContentBlock } from '../framework/types.js';

const HEX = '0123456789abcdef';

// Characters that need escaping: controls, ", \, <, >, &, U+2028, U+2029.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029]/;

/** A JSON string literal as Go's json.Marshal writes it (HTML-escaped). */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      switch (c) {
        case 0x08: esc = '\\b'; break;
        case 0x0c: esc = '\\f'; break;
        case 0x0a: esc = '\\n'; break;
        case 0x0d: esc = '\\r'; break;
        case 0x09: esc = '\\t'; break;
        default: esc = '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
      }
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c || c === 0x3e || c === 0x26) esc = '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A struct of omitempty string fields: `{"a":"…"}` with the empty ones left out. */
function omitemptyStruct(value: unknown, fields: readonly string[]): string {
  const o = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const parts: string[] = [];
  for (const f of fields) {
    const v = str(o[f]);
    if (v !== '') parts.push(`"${f}":${goJsonString(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** One structured content block (image/audio/video values are read as the OpenAI objects). */
export function goJsonContentBlock(b: ContentBlock): string {
  let out = `{"type":${goJsonString(b.type ?? '')}`;
  if (b.text) out += `,"text":${goJsonString(b.text)}`;
  out += `,"image_url":${omitemptyStruct(b.image_url, ['url'])}`;
  out += `,"input_audio":${omitemptyStruct(b.input_audio, ['data', 'format'])}`;
  out += `,"video_url":${omitemptyStruct(b.video_url, ['url'])}`;
  return out + '}';
}

/** Go's json.Marshal(messages) for a chat-completions request. */
export function goJsonMessages(messages: readonly ChatMessage[]): string {
  const parts: string[] = [];
  for (const m of messages) {
    let out = '{';
    if (m.role) out += `"role":${goJsonString(m.role)},`;
    const c = m.content;
    let content: string;
    if (typeof c === 'string') content = goJsonString(c);
    else if (Array.isArray(c)) content = `[${(c as readonly ContentBlock[]).map(goJsonContentBlock).join(',')}]`;
    else content = '""';
    parts.push(`${out}"content":${content}}`);
  }
  return `[${parts.join(',')}]`;
}
