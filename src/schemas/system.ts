import { Type } from '@sinclair/typebox'
import { Strict } from './common.js'

export const Health = Strict(
  { status: Type.Literal('ok'), uptimeSeconds: Type.Number() },
  { $id: 'Health' },
)
export const Readiness = Strict(
  { status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), database: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]) },
  { $id: 'Readiness' },
)
export const systemSchemas = [Health, Readiness]
