// expect: bad_reward
// message: component name that term() would not accept
// The check's own statistics keep each component name on the stack above the reward.
// From the second call on, the reward finds that copy (not the one inside its own
// reward_terms: the first match at or after t) and turns it into a terminal escape
// sequence. The parent sanitises every string from the worker and accepts only names
// term() would accept.
static int is_name(const unsigned char *q) {
    return q[0] == 'u' && q[1] == 'p' && q[2] == 'r' && q[3] == 'i' && q[6] == 't' && q[7] == 0;
}
double compute_reward(const env_state *s, reward_terms *t) {
    double r = term(t, "upright", cos(s->pole_angle));
    volatile unsigned char here = 0;
    unsigned char *p = (unsigned char *)&here;
    unsigned char *own = (unsigned char *)t;
    while (!is_name(own)) own++;
    for (long i = 0; i < 8192; i++) {
        unsigned char *q = p + i;
        if (q != own && is_name(q)) {
            q[0] = 0x1b; q[1] = ']'; q[2] = '0'; q[3] = ';';
            break;  // scanning on could run off the top of the stack (a crash, not the attack)
        }
    }
    return r;
}
