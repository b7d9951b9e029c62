// baoding, sparse reward: only the fitness event (both balls within the tolerance of their
// targets at this step).
double compute_reward(const env_state *s, reward_terms *t) {
    int on = vec3_dist(s->ball_pos[0], s->target_pos[0]) < TARGET_TOLERANCE &&
             vec3_dist(s->ball_pos[1], s->target_pos[1]) < TARGET_TOLERANCE;
    double r = 0.0;
    r += term(t, "solved", on ? 1.0 : 0.0);
    return r;
}
