# pysaml2 attribute map for the SPID-style attributes the IdP releases: names
# with NameFormat "basic", kept as they are (pysaml2's bundled maps would turn
# some of them into URIs).
ATTRIBUTES = (
    "spidCode", "name", "familyName", "placeOfBirth", "countyOfBirth", "dateOfBirth",
    "gender", "companyName", "registeredOffice", "fiscalNumber", "ivaCode", "idCard",
    "mobilePhone", "email", "address", "expirationDate", "digitalAddress",
)  # fmt: skip

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "fro": {a: a for a in ATTRIBUTES},
    "to": {a: a for a in ATTRIBUTES},
}
