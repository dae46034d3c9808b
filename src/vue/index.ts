// The Vue binding arrives with its own issue; this entry builds so the exports map is whole.
export {}
