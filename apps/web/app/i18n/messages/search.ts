import { defineMessages } from '../messages';

/** Texts of the search page. */
export const searchMessages = defineMessages({
  en: {
    title: 'Search',
    description: 'Search the products of the shop.',
    resultsTitle: (q: string) => `Search results for “${q}”`,
    resultsDescription: (q: string) => `Products of the shop matching “${q}”.`,
    terms: 'Search terms',
    submit: 'Search',
    emptyText: 'Type what you are looking for: a product, a brand, a material.',
    browse: 'Or browse a category',
    resultCount: (n: number, q: string) =>
      `${String(n)} ${n === 1 ? 'result' : 'results'} for “${q}”`,
    noResultsTitle: (q: string) => `No results for “${q}”`,
    noResultsText:
      'Check the spelling, use fewer or more general words, or try a brand or material.',
    suggestions: 'Popular categories',
    tooLongTitle: 'Your search is too long',
    tooLongText: (max: number) => `Please use at most ${String(max)} characters.`,
    rateLimitedTitle: 'Too many searches',
    rateLimitedText:
      'You have searched a lot in a short time. Please wait a minute, then try again. Browsing the categories still works in the meantime.',
    relevance: 'Relevance',
  },
  fr: {
    title: 'Recherche',
    description: 'Rechercher parmi les produits de la boutique.',
    resultsTitle: (q: string) => `Résultats de recherche pour « ${q} »`,
    resultsDescription: (q: string) => `Les produits de la boutique correspondant à « ${q} ».`,
    terms: 'Termes de recherche',
    submit: 'Rechercher',
    emptyText: 'Saisissez ce que vous cherchez : un produit, une marque, une matière.',
    browse: 'Ou parcourez un rayon',
    resultCount: (n: number, q: string) =>
      `${String(n)} ${n <= 1 ? 'résultat' : 'résultats'} pour « ${q} »`,
    noResultsTitle: (q: string) => `Aucun résultat pour « ${q} »`,
    noResultsText:
      "Vérifiez l'orthographe, utilisez moins de mots ou des mots plus généraux, ou essayez une marque ou une matière.",
    suggestions: 'Rayons populaires',
    tooLongTitle: 'Votre recherche est trop longue',
    tooLongText: (max: number) => `Utilisez au plus ${String(max)} caractères.`,
    rateLimitedTitle: 'Trop de recherches',
    rateLimitedText:
      'Vous avez lancé beaucoup de recherches en peu de temps. Patientez une minute, puis réessayez. Vous pouvez continuer à parcourir les rayons en attendant.',
    relevance: 'Pertinence',
  },
});
