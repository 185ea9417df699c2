// A check of a Kyky credential with the Digital Credentials Consortium's verifier-core (npm
// @digitalcredentials/verifier-core), what the Learner Credential Wallet and VerifierPlus run.
// It has no document loader to hand over: it resolves did:web and fetches the status list itself,
// with fetch. So fetch is replaced, before the library is loaded, by one that answers our did.json
// and status list as they are served (and the OB 3.0 JSON schema, from a local file, when given) and
// refuses everything else: nothing leaves the machine, and a stray request fails the check.
// Reads {"credential", "did", "didUrl", "statusList", "schema"?, "clockSlowMinutes"?} on stdin; prints
// {"signature", "expired", "revoked", "statusError", "schema", "errors",
// "requested"}; "revoked" is null when the status could not be checked, and "statusError" says why.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const {credential, did, didUrl, statusList, schema, clockSlowMinutes} = JSON.parse(input);

if (clockSlowMinutes) {
  // A verifier whose clock runs behind: every "now" it takes is that many minutes early.
  const RealDate = Date;
  const offset = clockSlowMinutes * 60 * 1000;
  globalThis.Date = class extends RealDate {
    constructor(...args) { super(...(args.length ? args : [RealDate.now() - offset])); }
    static now() { return RealDate.now() - offset; }
  };
}

const served = new Map([[didUrl, did], [statusList.id, statusList]]);
if (schema) {
  served.set('https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', schema);
}
const requested = [];
globalThis.fetch = async (resource, options) => {
  const url = typeof resource === 'string' ? resource : (resource.url ?? String(resource));
  requested.push(url);
  if (!served.has(url)) throw new TypeError(`offline: ${url} is not served in this test`);
  return new Response(JSON.stringify(served.get(url)), {
    status: 200, headers: {'content-type': 'application/json'},
  });
};

const {verifyCredential} = await import('@digitalcredentials/verifier-core');
const result = await verifyCredential({credential, knownDIDRegistries: []});
const step = id => (result.log || []).find(entry => entry.id === id);
const messages = (result.errors || []).map(error => `${error.name}: ${error.message}`);
const schemaCheck = (result.additionalInformation || []).find(entry => entry.id === 'schema_check');
console.log(JSON.stringify({
  signature: step('valid_signature')?.valid ?? false,
  expired: step('expiration') ? !step('expiration').valid : null,
  revoked: step('revocation_status') && !step('revocation_status').error ? !step('revocation_status').valid : null,
  statusError: step('revocation_status')?.error?.name ?? null,
  schema: schemaCheck ? schemaCheck.results.every(entry => entry.result?.valid === true) : null,
  errors: messages,
  requested,
}));
