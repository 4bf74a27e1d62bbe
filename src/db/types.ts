import type { Static } from '@sinclair/typebox'
import type { BodyBlockValue, Headlines, LeadMediaInput, PrintEdition, Correction } from '../schemas/article.js'

/** The JSON columns of an article, as stored. */
export interface ArticleStored {
  headlines: Static<typeof Headlines>
  leadMedia: Static<typeof LeadMediaInput> | null
  body: BodyBlockValue[]
  printEdition: Static<typeof PrintEdition> | null
  corrections: Static<typeof Correction>[]
}
