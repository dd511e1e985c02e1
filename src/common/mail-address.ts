// Deliberately simple: one @, a dot in the domain, and none of the characters that make an address
// a display name, a quoted string or a list (a mailer reads "a,b@x" as two recipients). RFC 5322
// in full accepts addresses mail relays refuse.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/**
 * The one rule for every address the gateway mails to: users' addresses, requesters given by
 * address, ticket notify addresses and forwards. At most 254 characters.
 */
export function isMailAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}
