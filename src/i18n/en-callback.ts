/** English of the callback form and its number checks, in the callback chunk. */
export const EN_CALLBACK = {
  'phone.label': 'Your phone number',
  'phone.country': 'Country',
  /** A country in the list: {name} is its name, {dial} its calling code such as +86. */
  'phone.countryOption': '{name} ({dial})',
  'phone.empty': 'Enter your phone number.',
  'phone.chars': 'Use digits only, with spaces or dashes if you like.',
  'phone.invalid': 'This number does not look right for the chosen country.',
  'phone.when': 'When should we call?',
  'phone.now': 'Now',
  'phone.book': 'Book this call',
  'phone.callMe': 'Call me now',
};
