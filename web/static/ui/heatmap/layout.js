// The overview's geometry in CSS pixels, shared by its drawing and its rows (which sit over the picture and must line
// up with it column for column).
export const COL_W = 7;    // px per character: enough for a readable character under each column
export const AXIS_H = 18;  // px for the text along the bottom
export const LEFT = 30;    // px for the unit numbers
