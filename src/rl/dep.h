// dep.h: DEP, differential extrinsic plasticity (Der & Martius 2015), the exploration
// controller of DEP-RL (Schumacher et al., ICLR 2023).
//
// A linear map C from the actuators' sensors to their excitations that learns within a
// few steps, from the correlation of sensor velocities at two times:
//   x_t     the sensor reading (one per actuator: its length), min/max normalised to
//           [-1, 1] over every reading so far, then averaged over `smooth` steps
//   C       = sum_{s=2}^{min(t-1-delay, tau)-1} M dx_{t-s} dx_{t-s-delay}^T,
//           dx_t = x_t - x_{t-1}; M (diagonal, +-1) is the inverse model: the sign of
//           d length / d action of each actuator (-1 for a muscle, which shortens when
//           excited)
//   Cn      = C with each row scaled to unit norm (DEP-RL's "independent" normalisation)
//   q       = Cn x_t / |Cn x_t|
//   y_t     = tanh(kappa q + h) in [-1, 1]^n
//   h      <- h - clip(bias_rate y_{t-1}, +-0.05) - 0.001 h
// C is recomputed from the last tau velocities each step (no recency weighting, as in
// the authors' implementation), so the controller follows whatever motion the body makes
// and amplifies it into coordinated, self-sustained excitations.
//
// The whole state of one controller is an array of dep_state_size doubles, so that a
// trainer can keep one per environment in a flat block and save it bit for bit.
#ifndef EUREKA_DEP_H
#define EUREKA_DEP_H

#define DEP_MAX_N 64            // actuators
#define DEP_MAX_TAU 1000
#define DEP_MAX_DELAY 1000

typedef struct dep_cfg {
    double kappa;       // gain of the normalised response (y = tanh(kappa q + h))
    double bias_rate;   // how fast h pushes against a saturated excitation
    int tau;            // velocities summed into C
    int delay;          // steps between the two velocities C correlates (the paper's dt)
    int smooth;         // running average of the sensor over about this many steps (1: none)
} dep_cfg;

// The fixed part of a controller, shared by every environment.
typedef struct dep_model {
    int n;              // actuators = sensors
    dep_cfg cfg;
    double m[DEP_MAX_N];    // inverse model: +-1 per actuator
    int cap;            // readings the ring keeps: tau + delay + 1
} dep_model;

// Set dm up for n actuators with inverse-model signs m (n values, each +1 or -1).
void dep_model_init(dep_model *dm, int n, const double *m, const dep_cfg *cfg);

// Doubles of one controller's state.
int dep_state_size(const dep_model *dm);

// A controller that has seen nothing: C = 0 (so y = 0), h = 0.
void dep_reset(const dep_model *dm, double *st);

// Forget the sensor history but keep C, h and the normalisation range: a new episode
// starts, and the jump of a reset is not a velocity.
void dep_clear(const dep_model *dm, double *st);

// One step: read the sensors l (n, raw lengths), learn C, and write the excitation
// y (n, in [-1, 1]).
void dep_step(const dep_model *dm, double *st, const double *l, double *y);

// The normalised controller matrix Cn (n x n, row-major) held in st. Borrowed.
const double *dep_matrix(const dep_model *dm, const double *st);

// A state restored from outside the process is usable: every number finite, counters in
// range. 1 if so.
int dep_state_ok(const dep_model *dm, const double *st);

#endif
