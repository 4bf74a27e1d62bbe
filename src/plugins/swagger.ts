import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export const API_VERSION = '0.1.0'

/** The OpenAPI document is generated from the route schemas; shared schemas keep their $id as component names. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Newsdesk',
          version: API_VERSION,
          description:
            'A REST content API for newsrooms. Errors are RFC 9457 problem+json. Writes to existing resources need If-Match; POSTs accept Idempotency-Key.',
        },
        servers: [{ url: '/' }],
        tags: [
          { name: 'articles', description: 'News articles and their editorial workflow' },
          { name: 'media', description: 'Photos, videos and audio' },
          { name: 'contributors', description: 'Authors, agencies and organisations credited on articles' },
          { name: 'topics', description: 'People, places, organisations, subjects and events articles are about' },
          { name: 'sections', description: 'The section tree (news/world/asia); an article sits in one section' },
          { name: 'imports', description: 'Ingest: raw text (a copied news page, wire copy) becomes a draft article' },
          { name: 'api-keys', description: 'API keys (admin scope)' },
          { name: 'system', description: 'Health, readiness, metrics and this document' },
        ],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' } },
        },
        security: [{ bearer: [] }, {}],
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: false },
      staticCSP: true,
    })
  },
  { name: 'swagger' },
)
