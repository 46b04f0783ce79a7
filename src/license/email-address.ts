// What we accept as a buyer's email address, wherever one enters (mint, edit, webhooks, Gumroad exports):
// something@domain.tld with no spaces. Deliverability is the mail server's call, not ours.
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
