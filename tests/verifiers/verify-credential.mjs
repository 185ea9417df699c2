// An independent check of a Kyky credential with Digital Bazaar's verifier (npm @digitalbazaar/vc
// with the eddsa-rdfc-2022 cryptosuite and @digitalbazaar/vc-bitstring-status-list), offline:
// contexts come from @digitalcredentials/security-document-loader, and our did:web document and
// status list credential are handed to it as they are served.
// Reads {"credential", "did", "statusList"} on stdin; prints {"verified", "revoked", "error"}.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {securityLoader} from '@digitalcredentials/security-document-loader';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const {credential, did, statusList} = JSON.parse(input);
const loader = securityLoader({fetchRemoteContexts: false});
loader.addStatic(did.id, did);
for (const method of did.verificationMethod) {
  loader.addStatic(method.id, {'@context': 'https://w3id.org/security/multikey/v1', ...method});
}
loader.addStatic(statusList.id, statusList);
const result = await vc.verifyCredential({
  credential,
  suite: new DataIntegrityProof({cryptosuite}),
  documentLoader: loader.build(),
  checkStatus,
});
// verifyCredential says "verified" for a revoked credential too: the revocation is in statusResult.
const status = result.statusResult?.results?.[0];
const error = result.error || (result.results || []).find(r => r.error)?.error || result.statusResult?.error;
console.log(JSON.stringify({
  verified: result.verified,
  revoked: status ? status.status === true : null,
  error: error ? String(error.message || error) : null,
}));
