"""Sign-in with a university's own identity provider over SAML 2.0 (HAKA, Suomi.fi).

The protocol is djangosaml2 on pysaml2, which signs and verifies with Debian's ``xmlsec1``: both
are maintained, used by the Italian and Finnish federations' service providers, and pysaml2 checks
what a service provider must check (signatures on assertions, audience, ``NotOnOrAfter``,
``InResponseTo`` against the requests we sent, decryption of encrypted assertions). Writing XML
signature checking ourselves is how SAML service providers get broken; python3-saml was the
other candidate, but it has no Django integration and its xmlsec binding needs a matching libxml2
build, whereas xmlsec1 is a plain Debian package.

What Kyky adds: identity providers are rows (``IdentityProvider``, one per organisation, metadata
pasted and checked in the admin, never fetched at login), pysaml2's configuration is built per
request from them (``config.sp_config``), and the first login creates or links an account by
rules of our own (``services.saml_login``).
"""
