// quadcopter, sparse reward: the fitness itself, minus the distance to the target
// (capped at MAX_DIST) at every step.
double compute_reward(const env_state *s, reward_terms *t) {
    double r = 0.0;
    r += term(t, "neg_distance", -fmin(vec3_dist(s->pos, s->target_pos), MAX_DIST));
    return r;
}
