/*
 * Query splitter for the book's Chinese search. book/_ext/zh_search.py puts this file into
 * language_data.js, which loads after searchtools.js and replaces its default splitQuery.
 *
 * The index holds jieba's words (and the dictionary words inside them); a query has no spaces
 * between Chinese words. A run of Chinese characters is kept whole when the index has it as a
 * term or inside a term (Sphinx then finds it exactly or by partial match); otherwise it is cut
 * into indexed words, covering as many characters as possible with as few words as possible.
 * Only function characters (的, 和, 是 ...) may stay uncovered; they are dropped. A run with any
 * other uncovered character is kept whole (量子力学 must not turn into 力学 alone).
 */
var splitQuery = (query) => {
  const index = typeof Search !== "undefined" ? Search._index : null;
  const terms = index ? Object.keys(index.terms).concat(Object.keys(index.titleterms)) : [];
  const known = new Set(terms);
  const MAX_WORD = 12;
  const FUNCTION_CHARS = new Set("的地得了着过和与及或是在中里之其把被对为从到向以于由有也都就还又很吗呢吧啊么这那个");

  const segment = (run) => {
    // best[i] holds the cheapest cut of run.slice(0, i); a cost is [uncovered characters other
    // than function characters, uncovered function characters, words], compared in that order.
    const cheaper = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    const best = [{ cost: [0, 0, 0], from: -1, word: null }];
    for (let i = 1; i <= run.length; i++) {
      let choice = null;
      for (let j = Math.max(0, i - MAX_WORD); j < i; j++) {
        const piece = run.slice(j, i);
        const isWord = piece.length > 1 && known.has(piece);
        if (piece.length > 1 && !isWord) continue;
        const [other, func, words] = best[j].cost;
        let cost;
        if (isWord) cost = [other, func, words + 1];
        else if (FUNCTION_CHARS.has(piece)) cost = [other, func + 1, words];
        else cost = [other + 1, func, words];
        if (choice === null || cheaper(cost, choice.cost) < 0)
          choice = { cost, from: j, word: isWord ? piece : null };
      }
      best.push(choice);
    }
    const last = best[run.length].cost;
    if (last[0] > 0 || last[2] === 0) return [run];
    const words = [];
    for (let i = run.length; i > 0; i = best[i].from) {
      if (best[i].word !== null) words.unshift(best[i].word);
    }
    return words;
  };

  const out = [];
  query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((piece) => piece)
    .forEach((piece) => {
      piece.match(/\p{Script=Han}+|\P{Script=Han}+/gu).forEach((run) => {
        const whole =
          !/\p{Script=Han}/u.test(run) ||
          run.length < 2 ||
          known.has(run) ||
          (run.length > 2 && terms.some((term) => term.includes(run)));
        out.push(...(whole ? [run] : segment(run)));
      });
    });
  return out;
};

/*
 * Every word of a query must occur on a page. Sphinx's performTermsSearch lets a page through
 * when it matches only the words longer than two characters (short English words are noise),
 * but most Chinese words have two characters: 遗忘门的作用 would list pages that only say 作用.
 * Keep the pages where each word is found, exactly or, for longer words, inside an indexed one
 * (the same rules as Sphinx's own matching).
 */
if (typeof Search !== "undefined" && !Search._zhEveryWord) {
  Search._zhEveryWord = true;
  const performTermsSearch = Search.performTermsSearch;
  Search.performTermsSearch = (searchTerms, excludedTerms) => {
    const index = Search._index;
    const filesOf = (table, word) => {
      const found = new Set();
      const add = (files) => [].concat(files === undefined ? [] : files).forEach((f) => found.add(f));
      add(table[word]);
      if (word.length > 2 && !Object.hasOwn(table, word))
        Object.keys(table).forEach((term) => term.includes(word) && add(table[term]));
      return found;
    };
    const pagesOf = (word) =>
      new Set([...filesOf(index.terms, word), ...filesOf(index.titleterms, word)]);
    const wanted = [...searchTerms].map(pagesOf);
    return performTermsSearch(searchTerms, excludedTerms).filter((result) => {
      const file = index.docnames.indexOf(result[0]);
      return wanted.every((pages) => pages.has(file));
    });
  };
}
