// expect: bad_reward
// message: overwrote its reward_terms
// term() checked the name, then the reward rewrites the copy kept in reward_terms (host
// memory it can reach) into a terminal escape sequence. Names are re-validated after
// every call.
double compute_reward(const env_state *s, reward_terms *t) {
    double r = term(t, "upright", cos(s->pole_angle));
    unsigned char *p = (unsigned char *)t;
    for (int i = 0; i < 2048; i++)
        if (p[i] == 'u' && p[i + 1] == 'p' && p[i + 2] == 'r' && p[i + 6] == 't' && p[i + 7] == 0) {
            p[i] = 0x1b; p[i + 1] = ']'; p[i + 2] = '0'; p[i + 3] = ';';
            break;
        }
    return r;
}
