// Entry of the investigation panel's browser bundle (the panel issue fills it in).
export {};
