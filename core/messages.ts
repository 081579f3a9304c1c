// API error messages in English and Brazilian Portuguese. Each message names what is wrong and how
// to fix it; the language follows the request's Accept-Language header (English by default).

export type Language = "en" | "pt-BR";

type Params = Record<string, string | number>;
type Catalog = Record<string, { en: (p: Params) => string; "pt-BR": (p: Params) => string }>;

export const MESSAGES = {
  invalid_request: {
    en: () => "The request is invalid. See details for each field.",
    "pt-BR": () => "A requisição é inválida. Veja os detalhes de cada campo.",
  },
  invalid_json: {
    en: () => "The body is not valid JSON. Send a JSON object such as {\"origin\": \"ORD\", ...}.",
    "pt-BR": () => "O corpo não é um JSON válido. Envie um objeto JSON como {\"origin\": \"ORD\", ...}.",
  },
  not_an_object: {
    en: () => "The body must be a JSON object with origin, destination and departure.",
    "pt-BR": () => "O corpo precisa ser um objeto JSON com origin, destination e departure.",
  },
  required: {
    en: (p) => `${p.field} is required.`,
    "pt-BR": (p) => `O campo ${p.field} é obrigatório.`,
  },
  not_a_string: {
    en: (p) => `${p.field} must be a string.`,
    "pt-BR": (p) => `O campo ${p.field} precisa ser uma string.`,
  },
  not_a_number: {
    en: (p) => `${p.field} must be a number.`,
    "pt-BR": (p) => `O campo ${p.field} precisa ser um número.`,
  },
  unknown_field: {
    en: (p) => `${p.field} is not a known field. Allowed fields: origin, destination, departure, distance_miles, reference, model.`,
    "pt-BR": (p) => `O campo ${p.field} não existe. Campos aceitos: origin, destination, departure, distance_miles, reference, model.`,
  },
  airport_format: {
    en: (p) => `${p.field} must be a 3-letter IATA airport code such as "ORD", got "${p.value}".`,
    "pt-BR": (p) => `O campo ${p.field} precisa ser um código IATA de 3 letras, como "GRU" ou "ORD"; recebido "${p.value}".`,
  },
  same_airport: {
    en: (p) => `destination must differ from origin, got ${p.code} for both.`,
    "pt-BR": (p) => `O destino (destination) precisa ser diferente da origem (origin); recebido ${p.code} nos dois.`,
  },
  departure_format: {
    en: (p) => `departure must be an ISO 8601 local date and time such as "2026-12-24T18:30" (optionally with an offset such as "-05:00"), got "${p.value}".`,
    "pt-BR": (p) => `O campo departure precisa estar no formato ISO 8601 com data e hora locais, como "2026-12-24T18:30" (com fuso opcional, como "-03:00"); recebido "${p.value}".`,
  },
  departure_invalid_date: {
    en: (p) => `departure "${p.value}" is not a real calendar date and time. Check the day of the month and the time.`,
    "pt-BR": (p) => `O valor "${p.value}" do campo departure não é uma data e hora real do calendário. Confira o dia do mês e o horário.`,
  },
  distance_range: {
    en: (p) => `distance_miles must be greater than 0 and at most ${p.max}, got ${p.value}.`,
    "pt-BR": (p) => `O campo distance_miles precisa ser maior que 0 e no máximo ${p.max}; recebido ${p.value}.`,
  },
  distance_mismatch: {
    en: (p) => `distance_miles ${p.value} is far from the ${p.expected} miles between ${p.origin} and ${p.destination}. Send the flown distance or leave the field out.`,
    "pt-BR": (p) => `O valor ${p.value} do campo distance_miles está muito longe das ${p.expected} milhas entre ${p.origin} e ${p.destination}. Envie a distância percorrida no voo ou omita o campo.`,
  },
  reference_length: {
    en: (p) => `reference must be at most ${p.max} characters, got ${p.length}. Shorten it.`,
    "pt-BR": (p) => `O campo reference pode ter no máximo ${p.max} caracteres; recebidos ${p.length}. Encurte o texto.`,
  },
  unknown_airport: {
    en: (p) => `Airport ${p.code} is not known to model ${p.model}: it had no flights in the training data. Check the code.`,
    "pt-BR": (p) => `O aeroporto ${p.code} não é conhecido pelo modelo ${p.model}: ele não teve voos nos dados de treino. Confira o código.`,
  },
  unknown_airports: {
    en: () => "One or more airports are not known to the model. See details.",
    "pt-BR": () => "Um ou mais aeroportos não são conhecidos pelo modelo. Veja os detalhes.",
  },
  not_found: {
    en: (p) => `No route for ${p.method} ${p.path}. See /docs for the API.`,
    "pt-BR": (p) => `Não existe rota para ${p.method} ${p.path}. Veja /docs para a documentação da API.`,
  },
  method_not_allowed: {
    en: (p) => `${p.method} is not allowed on ${p.path}. Allowed: ${p.allowed}.`,
    "pt-BR": (p) => `O método ${p.method} não é permitido em ${p.path}. Métodos permitidos: ${p.allowed}.`,
  },
  unsupported_media_type: {
    en: (p) => `Content-Type must be application/json, ${p.value ? `got "${p.value}"` : "and the header is missing"}.`,
    "pt-BR": (p) => `O Content-Type precisa ser application/json; ${p.value ? `recebido "${p.value}"` : "o cabeçalho não veio"}.`,
  },
  payload_too_large: {
    en: (p) => `The body is larger than the ${p.limit}-byte limit.`,
    "pt-BR": (p) => `O corpo passa do limite de ${p.limit} bytes.`,
  },
  rate_limited: {
    en: (p) => `Too many requests: the limit is ${p.limit} per ${p.period} seconds per client. Retry after the time in Retry-After.`,
    "pt-BR": (p) => `Requisições demais: o limite é de ${p.limit} a cada ${p.period} segundos por cliente. Tente de novo depois do tempo indicado em Retry-After.`,
  },
  invalid_time_window: {
    en: (p) => `${p.field} must be an ISO 8601 UTC time such as "2026-12-24T00:00:00Z", got "${p.value}".`,
    "pt-BR": (p) => `O parâmetro ${p.field} precisa ser um horário ISO 8601 em UTC, como "2026-12-24T00:00:00Z"; recebido "${p.value}".`,
  },
  empty_time_window: {
    en: () => "since must be earlier than until.",
    "pt-BR": () => "O parâmetro since precisa ser anterior a until.",
  },
  stats_unavailable: {
    en: () => "The prediction log cannot be read right now. Retry shortly.",
    "pt-BR": () => "Não foi possível ler o log de predições agora. Tente de novo em instantes.",
  },
  unauthorized: {
    en: () => "Missing or wrong X-Origin-Secret header. Call the origin through the edge, or send the shared secret.",
    "pt-BR": () => "Cabeçalho X-Origin-Secret ausente ou incorreto. Chame o serviço de origem pelo edge ou envie o segredo compartilhado.",
  },
  unknown_model: {
    en: (p) => `model must be "edge" or "full", got "${p.value}".`,
    "pt-BR": (p) => `O campo model precisa ser "edge" ou "full"; recebido "${p.value}".`,
  },
  origin_unavailable: {
    en: () => "The origin service is unavailable and the edge cannot serve this request. Retry after the time in Retry-After.",
    "pt-BR": () => "O serviço de origem está indisponível e o edge não consegue atender esta requisição. Tente de novo depois do tempo indicado em Retry-After.",
  },
  unsupported_batch_type: {
    en: (p) =>
      `Content-Type must be application/json (an array), application/x-ndjson or text/csv, ${p.value ? `got "${p.value}"` : "and the header is missing"}.`,
    "pt-BR": (p) =>
      `O Content-Type precisa ser application/json (um array), application/x-ndjson ou text/csv; ${p.value ? `recebido "${p.value}"` : "o cabeçalho não veio"}.`,
  },
  empty_batch: {
    en: () =>
      "The batch body is empty. Send at least one flight: a JSON array of flights, one JSON object per line (NDJSON), or a CSV header row followed by one flight per line.",
    "pt-BR": () =>
      "O corpo do lote está vazio. Envie pelo menos um voo: um array JSON de voos, um objeto JSON por linha (NDJSON) ou uma linha de cabeçalho CSV seguida de um voo por linha.",
  },
  batch_not_an_array: {
    en: () =>
      'An application/json batch must be a JSON array of flights, such as [{"origin": "ORD", ...}]. Wrap the flights in [ ], or send one flight per line as application/x-ndjson. To score one flight, use POST /predict.',
    "pt-BR": () =>
      'Um lote application/json precisa ser um array JSON de voos, como [{"origin": "ORD", ...}]. Coloque os voos entre [ ] ou envie um voo por linha como application/x-ndjson. Para pontuar um voo só, use POST /predict.',
  },
  invalid_csv_header: {
    en: () =>
      'The CSV header row is invalid. The first line must name the columns, such as "origin,destination,departure" (optional columns: distance_miles, reference, model). See details for each column.',
    "pt-BR": () =>
      'A linha de cabeçalho do CSV é inválida. A primeira linha precisa trazer os nomes das colunas, como "origin,destination,departure" (colunas opcionais: distance_miles, reference, model). Veja os detalhes de cada coluna.',
  },
  csv_missing_column: {
    en: (p) => `The CSV header has no ${p.field} column, which is required. Add it to the first line.`,
    "pt-BR": (p) => `O cabeçalho do CSV não tem a coluna ${p.field}, que é obrigatória. Inclua essa coluna na primeira linha.`,
  },
  csv_unknown_column: {
    en: (p) => `"${p.field}" is not a known column. Allowed columns: origin, destination, departure, distance_miles, reference, model.`,
    "pt-BR": (p) => `A coluna "${p.field}" não existe. Colunas aceitas: origin, destination, departure, distance_miles, reference, model.`,
  },
  csv_duplicate_column: {
    en: (p) => `The column ${p.field} appears more than once in the header. Keep one of them.`,
    "pt-BR": (p) => `A coluna ${p.field} aparece mais de uma vez no cabeçalho. Deixe só uma.`,
  },
  csv_extra_cells: {
    en: (p) => `This row has ${p.count} cells but the header names ${p.columns} columns. Remove the extra cells, or put a cell that contains a comma in double quotes.`,
    "pt-BR": (p) => `Esta linha tem ${p.count} células, mas o cabeçalho define ${p.columns} colunas. Tire as células a mais ou coloque entre aspas duplas a célula que tem vírgula.`,
  },
  invalid_csv: {
    en: (p) =>
      `This line is not valid CSV (${p.reason}), so reading stopped here. A cell with a comma, quote or line break must be in double quotes, with each quote inside it doubled.`,
    "pt-BR": (p) =>
      `Esta linha não é um CSV válido (${p.reason}), então a leitura parou aqui. Uma célula com vírgula, aspas ou quebra de linha precisa estar entre aspas duplas, com cada aspa interna dobrada.`,
  },
  row_invalid_json: {
    en: (p) => `This line is not valid JSON${p.position ? ` (error at character ${p.position})` : ""}. Send one flight per line as a JSON object, such as {"origin": "ORD", ...}.`,
    "pt-BR": (p) => `Esta linha não é um JSON válido${p.position ? ` (erro no caractere ${p.position})` : ""}. Envie um voo por linha como objeto JSON, como {"origin": "ORD", ...}.`,
  },
  json_array_syntax: {
    en: () =>
      "Reading stopped at this row because the JSON array is not valid here or in a later row. Check the syntax from this row on (each flight is a JSON object, separated by commas) and send those rows again.",
    "pt-BR": () =>
      "A leitura parou nesta linha porque o array JSON não é válido aqui ou numa linha seguinte. Confira a sintaxe a partir desta linha (cada voo é um objeto JSON, separado por vírgulas) e envie essas linhas de novo.",
  },
  row_not_an_object: {
    en: () => "Each row must be a JSON object with origin, destination and departure.",
    "pt-BR": () => "Cada linha precisa ser um objeto JSON com origin, destination e departure.",
  },
  model_mismatch: {
    en: (p) =>
      `This batch is scored by the ${p.batch} model, but the row asks for the ${p.row} model. Send rows for the ${p.row} model in a batch with ?model=${p.row}, or leave model out of the row.`,
    "pt-BR": (p) =>
      `Este lote é pontuado pelo modelo ${p.batch}, mas a linha pede o modelo ${p.row}. Envie as linhas do modelo ${p.row} num lote com ?model=${p.row} ou tire o campo model da linha.`,
  },
  model_unavailable: {
    en: () => "The model is temporarily unavailable. Retry shortly.",
    "pt-BR": () => "O modelo está indisponível no momento. Tente de novo em instantes.",
  },
  internal_error: {
    en: () => "Internal error. This is a bug; the request id identifies it in our logs.",
    "pt-BR": () => "Erro interno. Isto é um bug, e o request_id desta resposta identifica o caso nos nossos logs.",
  },
} satisfies Catalog;

export type MessageCode = keyof typeof MESSAGES;

/** A message still to be rendered in the caller's language. */
export interface LocalizableMessage {
  code: MessageCode;
  params?: Params;
}

export function renderMessage(message: LocalizableMessage, language: Language): string {
  return (MESSAGES as Catalog)[message.code]![language](message.params ?? {});
}

/** Picks the language from an Accept-Language header: Portuguese when it ranks above English. */
export function pickLanguage(acceptLanguage: string | null | undefined): Language {
  if (!acceptLanguage) return "en";
  const ranked = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag = "", ...rest] = part.trim().split(";");
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === "pt" || tag.startsWith("pt-")) return "pt-BR";
    if (tag === "en" || tag.startsWith("en-") || tag === "*") return "en";
  }
  return "en";
}
