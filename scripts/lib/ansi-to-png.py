#!/usr/bin/env python3
"""Renders a terminal capture (`tmux capture-pane -e -p`) to a PNG.

Usage: ansi-to-png.py COLUMNS ROWS INPUT.ans OUTPUT.png

The capture is replayed on a pyte screen of the pane's size, then every cell is drawn in
DejaVu Sans Mono with its colours and bold attribute, on the dark background of a typical
terminal. Only SGR sequences matter here: capture-pane emits nothing else.
"""
import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONT_SIZE = 15
BACKGROUND = (24, 26, 32)
FOREGROUND = (214, 218, 224)
PADDING = 10

# The xterm palette most terminal themes start from, slightly softened.
NAMED = {
    "black": (40, 42, 54), "red": (230, 80, 80), "green": (110, 200, 110),
    "brown": (220, 190, 80), "yellow": (220, 190, 80), "blue": (100, 150, 240),
    "magenta": (210, 110, 220), "cyan": (90, 200, 210), "white": (214, 218, 224),
    "brightblack": (110, 114, 124), "brightred": (255, 110, 110), "brightgreen": (150, 230, 150),
    "brightbrown": (250, 220, 110), "brightyellow": (250, 220, 110), "brightblue": (140, 180, 255),
    "brightmagenta": (235, 150, 240), "brightcyan": (130, 230, 240), "brightwhite": (255, 255, 255),
}


def colour(name, default):
    """Turns a pyte colour (a name, 'default' or six hex digits) into RGB."""
    if name == "default":
        return default
    if name in NAMED:
        return NAMED[name]
    if len(name) == 6:
        try:
            return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            pass
    return default


# Box-drawing characters as (up, down, left, right) arms, drawn as lines so borders join up
# across rows the way a terminal shows them.
BOX = {
    "─": (0, 0, 1, 1), "│": (1, 1, 0, 0), "┌": (0, 1, 0, 1), "┐": (0, 1, 1, 0),
    "└": (1, 0, 0, 1), "┘": (1, 0, 1, 0), "├": (1, 1, 0, 1), "┤": (1, 1, 1, 0),
    "┬": (0, 1, 1, 1), "┴": (1, 0, 1, 1), "┼": (1, 1, 1, 1),
}
# Lower block elements (sparklines) as the filled fraction of the cell's height.
BLOCKS = {chr(0x2581 + i): (i + 1) / 8 for i in range(8)}


def draw_special(draw, char, left, top, width, height, fill):
    """Draws box-drawing and block characters geometrically; returns whether it did."""
    if char in BOX:
        up, down, west, east = BOX[char]
        middle_x, middle_y = left + width // 2, top + height // 2
        if up:
            draw.line([middle_x, top, middle_x, middle_y], fill=fill)
        if down:
            draw.line([middle_x, middle_y, middle_x, top + height - 1], fill=fill)
        if west:
            draw.line([left, middle_y, middle_x, middle_y], fill=fill)
        if east:
            draw.line([middle_x, middle_y, left + width - 1, middle_y], fill=fill)
        return True
    if char in BLOCKS:
        filled = max(1, round(height * BLOCKS[char]))
        draw.rectangle([left, top + height - filled, left + width - 1, top + height - 1], fill=fill)
        return True
    return False


def main():
    columns, rows, source, target = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(source, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    # capture-pane ends every line with \n: without a carriage return pyte would not go back
    # to column 0, and a final newline on the last row would scroll the top line away.
    text = text.rstrip("\n").replace("\n", "\r\n")
    screen = pyte.Screen(columns, rows)
    pyte.Stream(screen).feed(text)

    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", FONT_SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", FONT_SIZE)
    cell_width = round(regular.getlength("M"))
    ascent, descent = regular.getmetrics()
    cell_height = ascent + descent + 3
    image = Image.new("RGB", (columns * cell_width + 2 * PADDING, rows * cell_height + 2 * PADDING), BACKGROUND)
    draw = ImageDraw.Draw(image)

    for y in range(rows):
        line = screen.buffer[y]
        for x in range(columns):
            cell = line[x]
            foreground = colour(cell.fg, FOREGROUND)
            background = colour(cell.bg, BACKGROUND)
            if cell.bold and cell.fg in NAMED and not cell.fg.startswith("bright"):
                foreground = NAMED["bright" + cell.fg]
            if cell.reverse:
                foreground, background = background, foreground
            left, top = PADDING + x * cell_width, PADDING + y * cell_height
            if background != BACKGROUND:
                draw.rectangle([left, top, left + cell_width - 1, top + cell_height - 1], fill=background)
            if cell.data and cell.data != " " and not draw_special(draw, cell.data, left, top, cell_width, cell_height, foreground):
                draw.text((left, top + 1), cell.data, font=bold if cell.bold else regular, fill=foreground)
            if cell.underscore:
                draw.line([left, top + cell_height - 2, left + cell_width - 1, top + cell_height - 2], fill=foreground)
    image.save(target)


if __name__ == "__main__":
    main()
