/**
 * The bundle's Hugging Face tokenizer.json through @huggingface/tokenizers.
 * User text (questions, dataset text, rationales) is encoded with special-token splitting off, as
 * Hugging Face's `split_special_tokens=True`: "<eos>" typed by a user is text, never the control id.
 * That library always splits added tokens out, so user text goes through a second instance built
 * without the special added tokens; a word-level vocabulary that still holds a special token's
 * string as a word maps it to <unk>.
 * The library has no explicit WordLevel model: a WordLevel vocab falls through to its "Legacy"
 * word->id map, which only maps unknown words to <unk> when the unk token is passed in the config,
 * so we always pass the manifest's special tokens and still guard every id.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import type { SpecialTokens } from '../shared/bundle';
import { BundleError } from './manifest-schema';

export interface BundleTokenizer {
  /** ids of user text: no special tokens added, and special-token strings in it stay text */
  encode(text: string): number[];
  /** ids of template text (a rendered chat template): special-token strings become their ids */
  encodeTemplate(text: string): number[];
  decode(ids: readonly number[]): string;
  /** id of a special token string */
  idOf(token: string): number;
}

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

export function createTokenizer(json: unknown, file: string, special: SpecialTokens): BundleTokenizer {
  if (typeof json !== 'object' || json === null) throw new BundleError(`${file}: not a tokenizer.json object`);
  const added = ((json as { added_tokens?: unknown }).added_tokens ?? []) as AddedTokenJson[];
  if (!Array.isArray(added)) throw new BundleError(`${file}: "added_tokens" must be an array`);
  const config = { bos_token: special.bos, eos_token: special.eos, pad_token: special.pad, unk_token: special.unk };
  const full = load(json, config, file);
  const plain = load({ ...json, added_tokens: added.filter((t) => !t.special) }, config, file);
  const vocab = full.get_vocab(true);
  const idOf = (token: string): number => {
    const id = vocab.get(token);
    if (id === undefined) throw new BundleError(`${file}: special token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  };
  const unk = idOf(special.unk);
  for (const t of Object.values(special)) if (t !== undefined) idOf(t);
  const controlIds = new Set(added.filter((t) => t.special).map((t) => t.id));
  for (const t of Object.values(special)) if (t !== undefined) controlIds.add(idOf(t));
  const ids = (enc: { ids: (number | undefined)[] }) => enc.ids.map((id) => (typeof id === 'number' ? id : unk));
  return {
    encode: (text) => ids(plain.encode(text, { add_special_tokens: false })).map((id) => (controlIds.has(id) ? unk : id)),
    encodeTemplate: (text) => ids(full.encode(text, { add_special_tokens: false })),
    // no clean-up: the reference joins tokens with single spaces (training/data.py detokenize)
    decode: (list) => (list.length === 0 ? '' : full.decode([...list], { skip_special_tokens: true, clean_up_tokenization_spaces: false })),
    idOf,
  };
}

function load(json: object, config: object, file: string): Tokenizer {
  try {
    return new Tokenizer(json, config);
  } catch (err) {
    throw new BundleError(`${file}: not a tokenizer this runtime can load: ${err instanceof Error ? err.message : String(err)}`);
  }
}
