#define _GNU_SOURCE
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "VarcoCertificate.h"

int varco_certificate_summary(const unsigned char *der, long length, int *key_bits, int *key_type, long long *not_after) {
    const unsigned char *cursor = der;
    X509 *cert = d2i_X509(NULL, &cursor, length);
    if (cert == NULL) return -1;
    EVP_PKEY *key = X509_get0_pubkey(cert);
    *key_bits = key != NULL ? EVP_PKEY_get_bits(key) : 0;
    int base = key != NULL ? EVP_PKEY_get_base_id(key) : 0;
    *key_type = base == EVP_PKEY_RSA ? 1 : (base == EVP_PKEY_EC ? 2 : 0);
    struct tm end;
    memset(&end, 0, sizeof end);
    const ASN1_TIME *notAfter = X509_get0_notAfter(cert);
    int ok = notAfter != NULL && ASN1_TIME_to_tm(notAfter, &end) == 1;
    X509_free(cert);
    if (!ok) return -1;
    *not_after = (long long)timegm(&end);
    return 0;
}
