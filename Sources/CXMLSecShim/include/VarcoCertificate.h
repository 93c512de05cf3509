#ifndef VARCO_CERTIFICATE_H
#define VARCO_CERTIFICATE_H

/// What the registration checks need from an X.509 certificate (DER): the public key's size in bits, its type
/// (1 RSA, 2 EC, 0 other) and the end of validity in seconds since 1970. Returns 0, or -1 if it is not a certificate.
int varco_certificate_summary(const unsigned char *der, long length, int *key_bits, int *key_type, long long *not_after);

#endif
