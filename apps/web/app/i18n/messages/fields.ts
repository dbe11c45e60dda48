import type { FieldRule } from '@storefront/contracts';
import { defineMessages } from '../messages';

/** A text per field rule; rules with a bound get it (characters, value or items). */
type FieldTexts = Record<FieldRule, (limit: number | undefined) => string>;

/**
 * What the page says next to a field the API refused, by the machine-readable rule (the
 * API's own message is English only). Every rule of the contract must have a text in both
 * languages: a new rule is a type error here until it is translated.
 */
export const fieldMessages = defineMessages<FieldTexts>({
  en: {
    required: () => 'Fill in this field.',
    too_short: (n) => (n === undefined ? 'This is too short.' : `Use at least ${n} characters.`),
    too_long: (n) => (n === undefined ? 'This is too long.' : `Use at most ${n} characters.`),
    too_small: (n) => (n === undefined ? 'This is too small.' : `Enter ${n} or more.`),
    too_big: (n) => (n === undefined ? 'This is too large.' : `Enter ${n} or less.`),
    too_few: (n) => (n === undefined ? 'Choose more.' : `Choose at least ${n}.`),
    too_many: (n) => (n === undefined ? 'Choose fewer.' : `Choose at most ${n}.`),
    invalid_email: () => 'Enter an email address such as name@example.com.',
    invalid_format: () => 'This is not in the expected format.',
    single_line: () => 'Keep this to a single line.',
    invalid_postal_code: () => 'Enter a postal code: letters, digits, spaces or dashes.',
    invalid_phone: () => 'Enter a phone number: digits, with an optional + at the start.',
    invalid_code: () => 'Enter the 6-digit code, or one of your recovery codes.',
    invalid_coupon_code: () => 'A discount code has only letters, digits, spaces or dashes.',
    invalid_choice: () => 'Choose one of the options offered.',
    invalid_type: () => 'This value is not valid.',
    unknown_field: () => 'This form sent a field it should not have.',
    invalid: () => 'This value is not valid.',
    password_too_short: (n) =>
      n === undefined ? 'This password is too short.' : `Use at least ${n} characters.`,
    password_too_long: (n) =>
      n === undefined ? 'This password is too long.' : `Use at most ${n} characters.`,
    password_common: () => 'This password is too common and easy to guess; choose another one.',
    password_context: () => "Don't use your email address or the shop's name in your password.",
    password_breached: () => 'This password has appeared in a data breach; choose another one.',
  },
  fr: {
    required: () => 'Remplissez ce champ.',
    too_short: (n) =>
      n === undefined ? 'C’est trop court.' : `Saisissez au moins ${n} caractères.`,
    too_long: (n) => (n === undefined ? 'C’est trop long.' : `Saisissez au plus ${n} caractères.`),
    too_small: (n) => (n === undefined ? 'C’est trop petit.' : `Saisissez ${n} ou plus.`),
    too_big: (n) => (n === undefined ? 'C’est trop grand.' : `Saisissez ${n} ou moins.`),
    too_few: (n) => (n === undefined ? 'Choisissez-en davantage.' : `Choisissez-en au moins ${n}.`),
    too_many: (n) => (n === undefined ? 'Choisissez-en moins.' : `Choisissez-en au plus ${n}.`),
    invalid_email: () => 'Saisissez une adresse e-mail comme nom@exemple.fr.',
    invalid_format: () => 'Ce n’est pas au format attendu.',
    single_line: () => 'Tenez-vous-en à une seule ligne.',
    invalid_postal_code: () => 'Saisissez un code postal : lettres, chiffres, espaces ou tirets.',
    invalid_phone: () =>
      'Saisissez un numéro de téléphone : des chiffres, éventuellement précédés d’un +.',
    invalid_code: () => 'Saisissez le code à 6 chiffres, ou l’un de vos codes de secours.',
    invalid_coupon_code: () =>
      'Un code de réduction ne contient que des lettres, chiffres, espaces ou tirets.',
    invalid_choice: () => 'Choisissez l’une des options proposées.',
    invalid_type: () => 'Cette valeur n’est pas valide.',
    unknown_field: () => 'Ce formulaire a envoyé un champ inattendu.',
    invalid: () => 'Cette valeur n’est pas valide.',
    password_too_short: (n) =>
      n === undefined ? 'Ce mot de passe est trop court.' : `Utilisez au moins ${n} caractères.`,
    password_too_long: (n) =>
      n === undefined ? 'Ce mot de passe est trop long.' : `Utilisez au plus ${n} caractères.`,
    password_common: () =>
      'Ce mot de passe est trop courant et facile à deviner ; choisissez-en un autre.',
    password_context: () =>
      'N’utilisez ni votre adresse e-mail ni le nom de la boutique dans votre mot de passe.',
    password_breached: () =>
      'Ce mot de passe figure dans une fuite de données ; choisissez-en un autre.',
  },
});
