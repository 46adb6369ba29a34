/**
 * The GraphQL frontend the fixture suites compile: the fixture service (every field kind, Echo,
 * Describe, Fail, Stream) bound as Query, Mutation and Subscription fields, with small limits.
 */
export const FIXTURE_GRAPHQL = `name: fixture-graphql
type: GRAPHQL
protos: [prism/test/v1/everything.proto]
graphql:
  service: prism.test.v1.EverythingService
  maxDepth: 5
  maxComplexity: 200
  persistedQueries: true
  errors:
    - match: { reason: [TEAPOT] }
      body: { object: { message: { format: "short and stout: {error.message}" }, brewed: { const: true } } }
  query:
    echo:
      grpc: Echo
      args:
        input: { to: '*' }
    describe:
      grpc: Describe
      args:
        text: { to: f_string }
        numbers: { to: r_int32 }
        color: {}
        big: { to: f_int64 }
    fail:
      grpc: Fail
      args: { code: {}, message: {}, reason: {} }
      result: { from: response.fString }
    version:
      grpc: Echo
      args:
        v: { to: f_int32, map: { latest: "-1" } }
      result: { from: response.fInt32 }
    nested:
      grpc: Echo
      args:
        names: { to: r_string }
      result: { each: response.rString, item: { object: { name: { from: item } } } }
      resultType: Named
  mutation:
    setText:
      grpc: Echo
      args: { text: { to: f_string, required: true } }
      constants: { f_bool: true }
      result: { object: { text: { from: response.fString }, flag: { from: response.fBool } } }
      resultType: TextResult
  subscription:
    numbers:
      grpc: Stream
      args:
        count: { to: f_int32 }
        after: { to: f_int64 }
        intervalMs: { to: f_uint32 }
        hang: { to: f_bool }
        failWith: { to: f_sint32 }
      result: { object: { n: { from: response.fInt32 }, big: { from: response.fInt64 } } }
      resultType: Tick
  types:
    Named:
      fields:
        shout:
          grpc: Describe
          parent: { f_string: name }
          result: { from: response.text }
`;
