/**
 * The bundle's Hugging Face tokenizer.json through @huggingface/tokenizers.
 * That library has no explicit WordLevel model: a WordLevel vocab falls through to its "Legacy"
 * word->id map, which only maps unknown words to <unk> when the unk token is passed in the config,
 * so we always pass the manifest's special tokens and still guard every id.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import type { BundleManifest } from '../shared/bundle';
import { BundleError } from './manifest-schema';

export interface BundleTokenizer {
  /** ids of the text alone, no special tokens added */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** id of a special token string */
  idOf(token: string): number;
}

export function createTokenizer(json: unknown, file: string, special: BundleManifest['tokenizer']['special']): BundleTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as object, {
      bos_token: special.bos,
      eos_token: special.eos,
      pad_token: special.pad,
      unk_token: special.unk,
    });
  } catch (err) {
    throw new BundleError(`${file}: not a tokenizer this runtime can load: ${err instanceof Error ? err.message : String(err)}`);
  }
  const vocab = tok.get_vocab(true);
  const idOf = (token: string): number => {
    const id = vocab.get(token);
    if (id === undefined) throw new BundleError(`${file}: special token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  };
  const unk = idOf(special.unk);
  for (const t of Object.values(special)) if (t !== undefined) idOf(t);
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids.map((id) => (typeof id === 'number' ? id : unk)),
    // no clean-up: the reference joins tokens with single spaces (training/data.py detokenize)
    decode: (ids) => tok.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    idOf,
  };
}
