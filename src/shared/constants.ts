// One home for every number the extension and the relay must agree on.

export const PROTOCOL_VERSION = 1;

/** Crockford base32: no I, L, O, U, so codes survive being read aloud. */
export const BASE32_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 23 random symbols (115 bits) plus one check symbol, shown as six groups of four. */
export const ROOM_CODE_RANDOM_CHARS = 23;
export const ROOM_CODE_LENGTH = ROOM_CODE_RANDOM_CHARS + 1;
export const ROOM_CODE_GROUP = 4;

/** HKDF-SHA256 output for the room id: 32 bytes, base64url without padding. */
export const ROOM_ID_LENGTH = 43;
/** Relay-assigned peer ids: 'p' + 16 base32 symbols. */
export const PEER_ID_PATTERN = /^p[0-9A-HJKMNP-TV-Z]{16}$/;
/** ULID-shaped message ids: 10 symbols of milliseconds, 16 of randomness. */
export const MESSAGE_ID_LENGTH = 26;

/**
 * What a person can type into one message: a long chat message, not a file. Each stored byte is
 * relay disk that one client could fill, so the bound is what text chat needs.
 */
export const MAX_TEXT_CHARS = 10_000;
export const MAX_NICKNAME_CHARS = 40;
/** A page's normalised address in a sealed body (a thread's page, a quote's source). */
export const MAX_PAGE_URL_CHARS = 2048;
/** A page's title shown with its thread or quote. */
export const MAX_PAGE_TITLE_CHARS = 200;
/** A quoted passage of a page. */
export const MAX_QUOTE_CHARS = 1000;
/** The words before and after a quoted passage that tell its text fragment which occurrence. */
export const MAX_QUOTE_CONTEXT_CHARS = 64;
/** How long the background waits for a page's selection ("Quote selection") before saying so. */
export const QUOTE_SELECTION_TIMEOUT_MS = 3000;
/** A quoted passage up to this long, on one line, is its own text fragment; longer is a range. */
export const TEXT_FRAGMENT_EXACT_CHARS = 300;
/** Words at each edge of a range text fragment, and of its prefix and suffix. */
export const TEXT_FRAGMENT_EDGE_WORDS = 4;
/** Control and bidi-override characters: in a name they could disguise who is speaking. */
export const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
/**
 * Sealed plaintext bound: the text's worst-case UTF-8 plus the JSON around it. A page or a quote
 * shares it with the text (a line carrying one has less room for a very long text), so the frame
 * size every relay accepts (DEFAULT_MAX_FRAME_KB) did not grow with them.
 */
export const MAX_PLAINTEXT_BYTES = MAX_TEXT_CHARS * 3 + 4096;
/** base64url of IV (12) + ciphertext + GCM tag (16). */
export const MAX_BODY_CHARS = Math.ceil(((12 + MAX_PLAINTEXT_BYTES + 16) * 4) / 3);
/**
 * Sealed EPHEMERAL body bound: a typing or presence state with a nickname, sealed, fits many times
 * over, and a flood of them stays far below chat's byte cost.
 */
export const MAX_EPHEMERAL_BODY_CHARS = 2048;
/** Default relay frame limit in kilobytes: one full message plus its envelope. */
export const DEFAULT_MAX_FRAME_KB = Math.ceil((MAX_BODY_CHARS + 1024) / 1024);

/**
 * Unacked messages a client has on the wire per room. Well under the relay's default burst, so
 * an outbox flushed after a long time offline is paced by acks instead of tripping the limiter.
 */
export const OUTBOX_WINDOW = 32;

export const KEEPALIVE_INTERVAL_MS = 15_000;
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 30_000;

/** Local retention (Settings.keepPerRoom): lines kept per room on this device, its default and bounds. */
export const DEFAULT_KEEP_PER_ROOM = 10_000;
export const MIN_KEEP_PER_ROOM = 100;
export const MAX_KEEP_PER_ROOM = 1_000_000;

export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8787';
export const DEFAULT_RELAY_PORT = 8787;
export const DEFAULT_RELAY_HOST = '127.0.0.1';

/** One reaction's emoji: a single grapheme of at most this many UTF-16 units (docs/protocol.md). */
export const MAX_REACTION_CHARS = 16;
/** Per message, the most (reactor key, emoji) pairs kept: a hostile member cannot grow a line without end. */
export const MAX_REACTIONS_PER_MESSAGE = 200;
/** search-room: the query's longest form, and the most results one answer carries. */
export const MAX_SEARCH_QUERY_CHARS = 200;
export const SEARCH_RESULTS_LIMIT = 50;
/** Lines per page of a room's history sent to a view (the newest on opening, older ones on scrolling up). */
export const HISTORY_PAGE_SIZE = 100;
/** The most lines one opening sends to reach back to the first unread one (the divider's line). */
export const MAX_UNREAD_PAGE = 1_000;
/**
 * PBKDF2-SHA256 iterations from a page's normalised address to its public room's code
 * (docs/protocol.md "Rooms for a page"): about 0.4-0.5 s per derivation on the team's machine
 * (scripts/bench-page-room.ts). Every instance must use the same count, or one page gives two rooms.
 */
export const PAGE_ROOM_KDF_ITERATIONS = 1_000_000;

/**
 * The overlay's frame on a page (OverlayPlace, docs/architecture.md "The overlay's place"): its
 * smallest and largest size in CSS px, the farthest a saved position may lie, and how many sites'
 * places are remembered (the oldest forgotten first).
 */
export const OVERLAY_MIN_WIDTH = 240;
export const OVERLAY_MIN_HEIGHT = 200;
export const OVERLAY_MAX_WIDTH = 1200;
export const OVERLAY_MAX_HEIGHT = 1600;
export const OVERLAY_MAX_OFFSET = 20_000;
export const MAX_OVERLAY_PLACES = 200;
