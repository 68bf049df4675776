#include <ft2build.h>
#include FT_FREETYPE_H

// SRViewer's FreeType bridge (montage labels). FreeType's load flags and face flags are macros
// built from shifts and casts, which Swift does not import reliably: they are re-exported here as
// plain functions. See Sources/SRViewer/Montage/TextRenderer.swift.

/// Loads and renders one character as 8-bit anti-aliased coverage (FT_RENDER_MODE_NORMAL) with
/// FreeType's default hinting. Returns an FT_Error (0 on success); the result is in face->glyph.
static inline FT_Error srft_render_char(FT_Face face, FT_ULong codepoint) {
  return FT_Load_Char(face, codepoint, FT_LOAD_DEFAULT | FT_LOAD_RENDER);
}

/// Whether the face carries a 'kern' table FT_Get_Kerning can use.
static inline int srft_has_kerning(FT_Face face) { return FT_HAS_KERNING(face) ? 1 : 0; }
