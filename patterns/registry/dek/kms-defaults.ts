/**
 * Confluent's `EncryptionUpdateRequestHandler` (confluent-data-contracts.md §3.11, "KMS defaults
 * on register"; test `testRegisterCreatesKmsDefaults`): with the DEK registry enabled, a domain
 * rule that names a KMS key (`encrypt.kms.key.id`) but no KEK name or KMS type gets them derived
 * from the key id, before the schema's identity is computed. For the register path: the rule
 * set it returns is the one to hash and store.
 */

const KMS_KEY_ID = 'encrypt.kms.key.id';
const KEK_NAME = 'encrypt.kek.name';
const KMS_TYPE = 'encrypt.kms.type';

interface RuleWithParams {
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * The KEK name Confluent derives from a key id: without a leading `arn:`, every character other
 * than a letter, digit, `_` or `-` replaced by `-` (`arn:aws:kms:us-east-1:1:key/x` →
 * `aws-kms-us-east-1-1-key-x`).
 */
export function kekNameFromKeyId(keyId: string): string {
  return keyId.replace(/^arn:/, '').replace(/[^\p{L}\p{Nd}_-]/gu, '-');
}

/**
 * `ruleSet` with KMS defaults filled into its domain rules; the same object when nothing
 * changes (so a caller can tell whether the server modified the submitted schema).
 */
export function withKmsDefaults<R extends RuleWithParams, S extends { readonly domainRules?: readonly R[] }>(ruleSet: S): S {
  let changed = false;
  const domainRules = ruleSet.domainRules?.map((rule) => {
    const params = rule.params;
    const keyId = params?.[KMS_KEY_ID];
    if (!params || !keyId || (params[KEK_NAME] && params[KMS_TYPE])) return rule;
    const filled: Record<string, string> = { ...params };
    if (!filled[KEK_NAME]) filled[KEK_NAME] = kekNameFromKeyId(keyId);
    if (!filled[KMS_TYPE] && keyId.startsWith('arn:')) filled[KMS_TYPE] = 'aws-kms';
    if (filled[KEK_NAME] === params[KEK_NAME] && filled[KMS_TYPE] === params[KMS_TYPE]) return rule;
    changed = true;
    return { ...rule, params: filled };
  });
  return changed ? { ...ruleSet, domainRules } : ruleSet;
}
