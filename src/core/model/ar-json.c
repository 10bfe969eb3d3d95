/* ar-json.c
 *
 * json-glib 1.6's parser recurses once per nesting level without a limit
 * (60 000 levels overflow the stack) and accepts what its generator and we
 * cannot write back: octal escapes yielding raw bytes, 1e999 as infinity,
 * integers past 64 bits as -1, and \u0000 truncating the string. So the
 * store reads with this small iterative parser instead and refuses, with
 * the line and column, anything it could not keep.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "ar-env-store.h"
#include "ar-json.h"

/* ---- reading ------------------------------------------------------------ */

typedef struct {
  JsonNode *node; /* an array or an object */
  char *key;      /* an object's member waiting for its value */
  gsize start;    /* offset of the opening bracket */
} Frame;

typedef struct {
  const char *data;
  gsize length;
  gsize pos;
  const char *name;
  GError **error;
} Reader;

static void
position_of (const Reader *r, gsize offset, guint *line, guint *column)
{
  gsize line_start = 0;

  *line = 1;
  for (gsize i = 0; i < offset && i < r->length; i++)
    if (r->data[i] == '\n')
      {
        (*line)++;
        line_start = i + 1;
      }
  /* Characters, not bytes; the text before offset is valid UTF-8. */
  *column = (guint) g_utf8_strlen (r->data + line_start, offset - line_start) + 1;
}

static gboolean
fail_at (Reader *r, gsize offset, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_at (Reader *r, gsize offset, const char *format, ...)
{
  g_autofree char *what = NULL;
  guint line, column;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  position_of (r, offset, &line, &column);
  g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
               _ ("%s is not valid JSON: line %u, column %u: %s"), r->name, line, column, what);
  return FALSE;
}

/* What stands at offset, for "unexpected …" messages. */
static char *
describe_at (Reader *r, gsize offset)
{
  const char *p = r->data + offset;

  if (offset >= r->length)
    return g_strdup (_ ("the end of the file"));
  if ((guchar) *p < 0x20)
    return g_strdup_printf (_ ("the control character U+%04X"), (guint) (guchar) *p);
  return g_strdup_printf ("“%.*s”", (int) (g_utf8_next_char (p) - p), p);
}

static gboolean
fail_unexpected (Reader *r, const char *expected)
{
  g_autofree char *found = describe_at (r, r->pos);

  /* TRANSLATORS: "found “x” where a value was expected" */
  return fail_at (r, r->pos, _ ("found %s where %s was expected"), found, expected);
}

static void
skip_space (Reader *r)
{
  while (r->pos < r->length)
    {
      char c = r->data[r->pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return;
      r->pos++;
    }
}

/* The whole file must be text before any structure is looked at, so the
 * message says what is wrong in a user's words. */
static gboolean
check_text (Reader *r)
{
  const char *nul = memchr (r->data, '\0', r->length);
  gsize text_length = nul != NULL ? (gsize) (nul - r->data) : r->length;
  const char *end = NULL;

  if (!g_utf8_validate_len (r->data, text_length, &end))
    {
      guint line, column;

      position_of (r, end - r->data, &line, &column);
      g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
                   _ ("%s is not UTF-8 text: line %u, column %u holds a byte that is not part of a UTF-8 character"),
                   r->name, line, column);
      return FALSE;
    }
  if (nul != NULL)
    {
      guint line, column;

      position_of (r, text_length, &line, &column);
      g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
                   _ ("%s contains a NUL byte at line %u, column %u; it is not a text file"),
                   r->name, line, column);
      return FALSE;
    }
  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at r->pos; -1 when they are not. */
static int
read_hex4 (Reader *r)
{
  int value = 0;

  if (r->length - r->pos < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (r->data[r->pos + i]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  r->pos += 4;
  return value;
}

static gboolean
fail_unterminated_string (Reader *r, gsize start)
{
  guint line, column;

  position_of (r, start, &line, &column);
  g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
               _ ("%s ends in the middle of a string that starts at line %u, column %u"),
               r->name, line, column);
  return FALSE;
}

/* At the opening quote. */
static char *
read_string (Reader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize start = r->pos;

  r->pos++;
  for (;;)
    {
      const char *run = r->data + r->pos;
      gsize n = 0;
      char c;

      /* Copy plain runs in one go: this is the hot loop of every load. */
      while (r->pos + n < r->length && run[n] != '"' && run[n] != '\\' && (guchar) run[n] >= 0x20)
        n++;
      g_string_append_len (out, run, n);
      r->pos += n;

      if (r->pos >= r->length)
        {
          fail_unterminated_string (r, start);
          return NULL;
        }
      c = r->data[r->pos];
      if (c == '"')
        {
          r->pos++;
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c != '\\')
        {
          fail_at (r, r->pos, _ ("a line break or other control character (U+%04X) inside a string; write it as an escape such as \\n"),
                   (guint) (guchar) c);
          return NULL;
        }

      r->pos++;
      if (r->pos >= r->length)
        {
          fail_unterminated_string (r, start);
          return NULL;
        }
      c = r->data[r->pos++];
      switch (c)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gsize escape = r->pos - 2;
            int unit = read_hex4 (r);
            gunichar ch;

            if (unit < 0)
              {
                fail_at (r, escape, _ ("\\u must be followed by four hexadecimal digits"));
                return NULL;
              }
            if (unit == 0)
              {
                fail_at (r, escape, _ ("the string holds \\u0000 (a NUL character), which cannot be stored"));
                return NULL;
              }
            ch = (gunichar) unit;
            if (unit >= 0xDC00 && unit <= 0xDFFF)
              {
                fail_at (r, escape, _ ("\\u%04X is the second half of a UTF-16 surrogate pair without its first half"), (guint) unit);
                return NULL;
              }
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                int low = -1;

                if (r->length - r->pos >= 2 && r->data[r->pos] == '\\' && r->data[r->pos + 1] == 'u')
                  {
                    r->pos += 2;
                    low = read_hex4 (r);
                  }
                if (low < 0xDC00 || low > 0xDFFF)
                  {
                    fail_at (r, escape, _ ("\\u%04X is the first half of a UTF-16 surrogate pair without its second half"), (guint) unit);
                    return NULL;
                  }
                ch = 0x10000 + (((gunichar) unit - 0xD800) << 10) + ((gunichar) low - 0xDC00);
              }
            g_string_append_unichar (out, ch);
            break;
          }
        default:
          {
            const char *at = r->data + r->pos - 1;

            if ((guchar) c < 0x20)
              fail_at (r, r->pos - 2, _ ("a backslash followed by a control character is not a JSON escape"));
            else
              fail_at (r, r->pos - 2, _ ("\\%.*s is not a JSON escape (these are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
                       (int) (g_utf8_next_char (at) - at), at);
            return NULL;
          }
        }
    }
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static JsonNode *
read_number (Reader *r)
{
  gsize start = r->pos;
  gsize p = r->pos;
  gboolean is_integer = TRUE;
  gboolean nonzero_digit = FALSE;
  g_autofree char *lexeme = NULL;
  JsonNode *node;

  if (p < r->length && r->data[p] == '-')
    p++;
  if (p < r->length && r->data[p] == '0')
    p++;
  else if (p < r->length && is_digit (r->data[p]))
    while (p < r->length && is_digit (r->data[p]))
      nonzero_digit |= r->data[p++] != '0';
  else
    goto bad;
  if (p < r->length && r->data[p] == '.')
    {
      is_integer = FALSE;
      p++;
      if (p >= r->length || !is_digit (r->data[p]))
        goto bad;
      while (p < r->length && is_digit (r->data[p]))
        nonzero_digit |= r->data[p++] != '0';
    }
  if (p < r->length && (r->data[p] == 'e' || r->data[p] == 'E'))
    {
      is_integer = FALSE;
      p++;
      if (p < r->length && (r->data[p] == '+' || r->data[p] == '-'))
        p++;
      if (p >= r->length || !is_digit (r->data[p]))
        goto bad;
      while (p < r->length && is_digit (r->data[p]))
        p++;
    }
  /* 12abc, 01, 1.2.3: the number must end at a delimiter. */
  if (p < r->length && (is_digit (r->data[p]) || g_ascii_isalpha (r->data[p]) ||
                        r->data[p] == '.' || r->data[p] == '+' || r->data[p] == '-'))
    goto bad;

  lexeme = g_strndup (r->data + start, p - start);
  node = json_node_new (JSON_NODE_VALUE);
  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (lexeme, NULL, 10);
      if (errno == ERANGE)
        {
          json_node_unref (node);
          fail_at (r, start, _ ("the whole number %s does not fit in 64 bits"), lexeme);
          return NULL;
        }
      json_node_set_int (node, value);
    }
  else
    {
      double value = g_ascii_strtod (lexeme, NULL);

      if (!isfinite (value))
        {
          json_node_unref (node);
          fail_at (r, start, _ ("the number %s is too large to be stored"), lexeme);
          return NULL;
        }
      if (value == 0.0 && nonzero_digit)
        {
          json_node_unref (node);
          fail_at (r, start, _ ("the number %s is too small to be stored (it would become 0)"), lexeme);
          return NULL;
        }
      json_node_set_double (node, value);
    }
  r->pos = p;
  return node;

bad:
  while (p < r->length && (is_digit (r->data[p]) || g_ascii_isalpha (r->data[p]) ||
                           r->data[p] == '.' || r->data[p] == '+' || r->data[p] == '-'))
    p++;
  {
    gsize shown = MIN (p - start, 40);

    /* Only ASCII was skipped, so the cut is on a character boundary. */
    if (shown == 0)
      return (fail_unexpected (r, _ ("a value")), NULL);
    lexeme = g_strndup (r->data + start, shown);
    fail_at (r, start, _ ("“%s” is not a valid number"), lexeme);
  }
  return NULL;
}

static gboolean
read_word (Reader *r, const char *word)
{
  gsize n = strlen (word);

  if (r->length - r->pos < n || memcmp (r->data + r->pos, word, n) != 0)
    return FALSE;
  if (r->length - r->pos > n && g_ascii_isalnum (r->data[r->pos + n]))
    return FALSE;
  r->pos += n;
  return TRUE;
}

static JsonNode *
read_scalar (Reader *r)
{
  char c = r->data[r->pos];

  if (c == '"')
    {
      char *text = read_string (r);
      JsonNode *node;

      if (text == NULL)
        return NULL;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, text);
      g_free (text);
      return node;
    }
  if (c == '-' || is_digit (c))
    return read_number (r);
  if (read_word (r, "true"))
    return json_node_init_boolean (json_node_alloc (), TRUE);
  if (read_word (r, "false"))
    return json_node_init_boolean (json_node_alloc (), FALSE);
  if (read_word (r, "null"))
    return json_node_new (JSON_NODE_NULL);
  fail_unexpected (r, _ ("a value"));
  return NULL;
}

static gboolean
fail_unclosed (Reader *r, Frame *frame)
{
  guint line, column;

  position_of (r, frame->start, &line, &column);
  if (JSON_NODE_HOLDS_ARRAY (frame->node))
    g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
                 _ ("%s ends before the list that starts at line %u, column %u is closed"),
                 r->name, line, column);
  else
    g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
                 _ ("%s ends before the object that starts at line %u, column %u is closed"),
                 r->name, line, column);
  return FALSE;
}

static void
frame_clear (Frame *frame)
{
  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->key, g_free);
}

/* Iterative: a stack of open containers, never deeper than AR_JSON_MAX_DEPTH. */
static JsonNode *
read_document (Reader *r)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  JsonNode *done = NULL;
  enum { WANT_VALUE,
         WANT_KEY,
         WANT_FIRST_VALUE,
         WANT_FIRST_KEY } want = WANT_VALUE;

  g_array_set_clear_func (stack, (GDestroyNotify) frame_clear);

  for (;;)
    {
      Frame *top;

      skip_space (r);
      if (want != WANT_VALUE || stack->len > 0)
        if (r->pos >= r->length)
          return (fail_unclosed (r, &g_array_index (stack, Frame, stack->len - 1)), NULL);

      if (want == WANT_FIRST_KEY || want == WANT_KEY)
        {
          Frame *frame = &g_array_index (stack, Frame, stack->len - 1);

          if (want == WANT_FIRST_KEY && r->data[r->pos] == '}')
            {
              r->pos++;
              done = g_steal_pointer (&frame->node);
              g_array_set_size (stack, stack->len - 1);
              goto complete;
            }
          if (r->data[r->pos] != '"')
            return (fail_unexpected (r, _ ("a key in quotes")), NULL);
          {
            gsize key_start = r->pos;
            char *key = read_string (r);

            if (key == NULL)
              return NULL;
            if (json_object_has_member (json_node_get_object (frame->node), key))
              {
                fail_at (r, key_start, _ ("the key “%s” appears twice in the same object"), key);
                g_free (key);
                return NULL;
              }
            frame->key = key;
          }
          skip_space (r);
          if (r->pos >= r->length)
            return (fail_unclosed (r, frame), NULL);
          if (r->data[r->pos] != ':')
            return (fail_unexpected (r, _ ("“:”")), NULL);
          r->pos++;
          want = WANT_VALUE;
          continue;
        }

      if (r->pos >= r->length)
        {
          g_set_error (r->error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE,
                       _ ("%s is empty: it holds no JSON value"), r->name);
          return NULL;
        }

      if (want == WANT_FIRST_VALUE && r->data[r->pos] == ']')
        {
          Frame *frame = &g_array_index (stack, Frame, stack->len - 1);

          r->pos++;
          done = g_steal_pointer (&frame->node);
          g_array_set_size (stack, stack->len - 1);
          goto complete;
        }

      if (r->data[r->pos] == '[' || r->data[r->pos] == '{')
        {
          Frame frame = { NULL, NULL, r->pos };
          gboolean is_array = r->data[r->pos] == '[';

          if (stack->len >= AR_JSON_MAX_DEPTH)
            return (fail_at (r, r->pos, _ ("lists and objects are nested more than %d deep"), AR_JSON_MAX_DEPTH), NULL);
          frame.node = json_node_new (is_array ? JSON_NODE_ARRAY : JSON_NODE_OBJECT);
          if (is_array)
            json_node_take_array (frame.node, json_array_new ());
          else
            json_node_take_object (frame.node, json_object_new ());
          g_array_append_val (stack, frame);
          r->pos++;
          want = is_array ? WANT_FIRST_VALUE : WANT_FIRST_KEY;
          continue;
        }

      done = read_scalar (r);
      if (done == NULL)
        return NULL;

    complete:
      /* done is a finished value: hand it to its container, or finish. */
      for (;;)
        {
          if (stack->len == 0)
            {
              skip_space (r);
              if (r->pos < r->length)
                {
                  json_node_unref (done);
                  return (fail_unexpected (r, _ ("the end of the file")), NULL);
                }
              return done;
            }
          top = &g_array_index (stack, Frame, stack->len - 1);
          if (JSON_NODE_HOLDS_ARRAY (top->node))
            json_array_add_element (json_node_get_array (top->node), done);
          else
            {
              json_object_set_member (json_node_get_object (top->node), top->key, done);
              g_clear_pointer (&top->key, g_free);
            }
          done = NULL;

          skip_space (r);
          if (r->pos >= r->length)
            return (fail_unclosed (r, top), NULL);
          if (r->data[r->pos] == ',')
            {
              r->pos++;
              want = JSON_NODE_HOLDS_ARRAY (top->node) ? WANT_VALUE : WANT_KEY;
              break;
            }
          if (r->data[r->pos] == (JSON_NODE_HOLDS_ARRAY (top->node) ? ']' : '}'))
            {
              r->pos++;
              done = g_steal_pointer (&top->node);
              g_array_set_size (stack, stack->len - 1);
              continue;
            }
          return (fail_unexpected (r, JSON_NODE_HOLDS_ARRAY (top->node) ? _ ("“,” or “]”") : _ ("“,” or “}”")), NULL);
        }
    }
}

JsonNode *
ar_json_parse_data (const char *data, gssize length, const char *name, GError **error)
{
  Reader r = { data, length < 0 ? strlen (data) : (gsize) length, 0, name, error };

  /* A byte-order mark some editors put first is not content. */
  if (r.length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r.pos = 3;
  if (!check_text (&r))
    return NULL;
  return read_document (&r);
}

JsonNode *
ar_json_parse_file (const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? AR_ENV_STORE_ERROR_NOT_FOUND
                     : AR_ENV_STORE_ERROR_IO,
                   "%s", local_error->message);
      return NULL;
    }
  return ar_json_parse_data (data, length, path, error);
}

/* ---- writing ------------------------------------------------------------ */

static void
append_string (GString *out, const char *str)
{
  g_autofree char *valid = NULL;

  /* Only text built in code can be invalid; never write bytes the reader refuses. */
  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);

  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_double (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      /* Only code can make one (the reader refuses them); JSON has no word for it. */
      g_string_append (out, "null");
      return;
    }
  /* The shortest form that reads back as the same double, so 0.1 stays 0.1. */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  /* Keep a double a double: 1.0 must not come back as 1. */
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
append_scalar (GString *out, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      append_string (out, json_node_get_string (node));
      return;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      return;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      return;
    case G_TYPE_DOUBLE:
      append_double (out, json_node_get_double (node));
      return;
    default:
      g_string_append (out, "null");
      return;
    }
}

typedef struct {
  JsonNode *node;
  JsonObjectIter iter;
  guint index;
} WriteFrame;

static void
append_indent (GString *out, gboolean pretty, guint depth)
{
  if (!pretty)
    return;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

/* Two-space indent, "key": value, [] and {} when empty: stable, and what
 * the earlier tool's json.dump(indent=2) writes, so diffs stay small.
 * Iterative, so time and stack stay linear in the output. */
static void
append_node (GString *out, JsonNode *root, gboolean pretty)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (WriteFrame));
  JsonNode *next = root;

  for (;;)
    {
      WriteFrame *top;

      if (next != NULL)
        {
          if (JSON_NODE_HOLDS_OBJECT (next) && json_object_get_size (json_node_get_object (next)) > 0)
            {
              WriteFrame frame;

              memset (&frame, 0, sizeof frame);
              frame.node = next;
              json_object_iter_init_ordered (&frame.iter, json_node_get_object (next));
              g_string_append_c (out, '{');
              g_array_append_val (stack, frame);
            }
          else if (JSON_NODE_HOLDS_ARRAY (next) && json_array_get_length (json_node_get_array (next)) > 0)
            {
              WriteFrame frame;

              memset (&frame, 0, sizeof frame);
              frame.node = next;
              g_string_append_c (out, '[');
              g_array_append_val (stack, frame);
            }
          else if (JSON_NODE_HOLDS_OBJECT (next))
            g_string_append (out, "{}");
          else if (JSON_NODE_HOLDS_ARRAY (next))
            g_string_append (out, "[]");
          else
            append_scalar (out, next);
          next = NULL;
        }

      if (stack->len == 0)
        return;
      top = &g_array_index (stack, WriteFrame, stack->len - 1);

      if (JSON_NODE_HOLDS_OBJECT (top->node))
        {
          const char *key;
          JsonNode *member;

          if (json_object_iter_next_ordered (&top->iter, &key, &member))
            {
              if (top->index++ > 0)
                g_string_append_c (out, ',');
              append_indent (out, pretty, stack->len);
              append_string (out, key);
              g_string_append (out, pretty ? ": " : ":");
              next = member;
              continue;
            }
          append_indent (out, pretty, stack->len - 1);
          g_string_append_c (out, '}');
        }
      else
        {
          JsonArray *array = json_node_get_array (top->node);

          if (top->index < json_array_get_length (array))
            {
              if (top->index > 0)
                g_string_append_c (out, ',');
              append_indent (out, pretty, stack->len);
              next = json_array_get_element (array, top->index++);
              continue;
            }
          append_indent (out, pretty, stack->len - 1);
          g_string_append_c (out, ']');
        }
      g_array_set_size (stack, stack->len - 1);
    }
}

char *
ar_json_to_pretty_string (JsonNode *node, gsize *length)
{
  GString *out = g_string_new (NULL);

  append_node (out, node, TRUE);
  g_string_append_c (out, '\n');
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
ar_utf8_shorten (const char *text, guint max_chars)
{
  const char *end = text;

  if (max_chars < 4 || (glong) max_chars >= g_utf8_strlen (text, -1))
    return g_strdup (text);
  for (guint i = 0; i < max_chars - 3; i++)
    end = g_utf8_next_char (end);
  return g_strdup_printf ("%.*s...", (int) (end - text), text);
}

void
ar_utf8_append_capped (GString *out, gsize max_bytes, guint64 *n_cut,
                       const char *text, gsize len)
{
  gsize room = max_bytes - MIN (out->len, max_bytes);

  if (*n_cut == 0 && len > room)
    {
      gsize take = room;

      /* Not inside a UTF-8 character. */
      while (take > 0 && ((guchar) text[take] & 0xc0) == 0x80)
        take--;
      g_string_append_len (out, text, (gssize) take);
      *n_cut = len - take;
    }
  else if (*n_cut == 0)
    g_string_append_len (out, text, (gssize) len);
  else
    *n_cut += len;
}

char *
ar_json_to_short_string (JsonNode *node, guint max_chars)
{
  g_autoptr(GString) out = g_string_new (NULL);

  append_node (out, node, FALSE);
  if (max_chars == 0)
    return g_string_free (g_steal_pointer (&out), FALSE);
  return ar_utf8_shorten (out->str, max_chars);
}

/* json_node_copy() only takes references on objects and arrays; a snapshot
 * of an environment must not change when the original's extras do. */
JsonNode *
ar_json_node_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, ar_json_object_copy (json_node_get_object (node)));
      return copy;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        JsonArray *out = json_array_sized_new (json_array_get_length (array));

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (out, ar_json_node_deep_copy (json_array_get_element (array, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (copy, out);
        return copy;
      }
    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      copy = json_node_copy (node);
      return copy;
    }
}

JsonObject *
ar_json_object_copy (JsonObject *object)
{
  JsonObject *out = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    json_object_set_member (out, key, ar_json_node_deep_copy (member));
  return out;
}
